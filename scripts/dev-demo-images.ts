// Demo images for `make dev` (and the Lighthouse run): a cover per demo product and the demo
// creator's avatar, drawn with sharp and uploaded through the real API, so they go through the
// same checks, processing and storage as a creator's own uploads.
import { Agent, fetch, type RequestInit } from 'undici';
import sharp from 'sharp';
import { DEMO_EMAIL, DEMO_PASSWORD } from './seed-demo.ts';

const PALETTES: Array<[string, string]> = [
  ['#5b2bd6', '#f5a524'],
  ['#0f766e', '#a7f3d0'],
  ['#b91c1c', '#fde68a'],
  ['#1d4ed8', '#93c5fd'],
  ['#7c2d12', '#fdba74'],
];

/** A 1200×900 JPEG cover: a gradient, a few shapes and the product's initial. */
export async function demoCover(index: number, title: string): Promise<Buffer> {
  const [from, to] = PALETTES[index % PALETTES.length] ?? ['#333', '#ccc'];
  const letter = escapeXml(Array.from(title)[0] ?? '?');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="900">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
    `<stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>` +
    `<rect width="1200" height="900" fill="url(#g)"/>` +
    `<circle cx="${300 + index * 120}" cy="260" r="220" fill="#ffffff" fill-opacity=".18"/>` +
    `<rect x="640" y="420" width="420" height="360" rx="40" fill="#000000" fill-opacity=".14"/>` +
    `<text x="120" y="760" font-family="sans-serif" font-size="420" font-weight="700" fill="#ffffff" fill-opacity=".9">${letter}</text>` +
    `</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

/** A 512×512 PNG avatar. */
export async function demoAvatar(): Promise<Buffer> {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">` +
    `<rect width="512" height="512" fill="#f5a524"/><circle cx="256" cy="210" r="110" fill="#5b2bd6"/>` +
    `<rect x="96" y="340" width="320" height="220" rx="160" fill="#5b2bd6"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Logs in as the demo creator and uploads a cover for every demo product without one, and the
 * avatar if missing. `trust`: the dev certificate, for an API served over HTTPS. Returns how many
 * images it uploaded.
 */
export async function attachDemoImages(apiUrl: string, trust?: string): Promise<number> {
  const dispatcher = trust === undefined ? undefined : new Agent({ connect: { ca: trust } });
  const call = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    const res = await fetch(`${apiUrl}${path}`, {
      ...init,
      headers,
      ...(dispatcher ? { dispatcher } : {}),
    } as RequestInit);
    if (!res.ok)
      throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  try {
    const login = await call('/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD }),
    });
    const { token, creator } = (await login.json()) as {
      token: string;
      creator: { avatar: unknown };
    };
    let uploaded = 0;
    const upload = async (path: string, body: Buffer, type: string) => {
      await call(path, { method: 'PUT', token, headers: { 'content-type': type }, body });
      uploaded += 1;
    };
    if (!creator.avatar) await upload('/api/v1/me/avatar', await demoAvatar(), 'image/png');
    const list = await call('/api/v1/me/products', { token });
    const { products } = (await list.json()) as {
      products: Array<{ id: string; title: string; image: unknown }>;
    };
    for (const [i, p] of products.entries()) {
      if (!p.image) {
        await upload(
          `/api/v1/me/products/${p.id}/image`,
          await demoCover(i, p.title),
          'image/jpeg',
        );
      }
    }
    return uploaded;
  } finally {
    await dispatcher?.close();
  }
}
