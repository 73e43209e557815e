export interface HealthView {
  status: 'ok';
  version: string;
  /** Seconds since the API started. */
  uptime: number;
  services: { running: number; total: number };
}
