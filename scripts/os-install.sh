# Shared by the install-*.sh scripts (sourced, not run): who may install OS packages, and one
# apt-get install that first tries without refreshing the package lists (fast in CI images that
# have them), then refreshes and tries again.
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd="sudo -n"; fi
fi
can_install() { [ "$(id -u)" -eq 0 ] || [ -n "$sudo_cmd" ]; }
can_apt_install() { can_install && command -v apt-get >/dev/null 2>&1; }
# apt_install [apt-get options…] PACKAGE…
apt_install() {
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 ||
    { $sudo_cmd apt-get update -q &&
      $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"; }
}
