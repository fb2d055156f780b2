// Series a Prometheus server stores besides those its targets export (which
// `exportedSeriesNames` in @storefront/test-support reads from a /metrics text).

/** Series Prometheus makes itself: per target (`up`) and from alerting rules (`ALERTS`). */
export const PROMETHEUS_SERIES = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);
