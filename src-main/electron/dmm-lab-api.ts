/** The only object the preload exposes to the renderer, as `window.dmmLab`. Keep it tiny and data-only. */
export interface DmmLabApi {
  readonly appVersion: string;
  readonly platform: string;
}
