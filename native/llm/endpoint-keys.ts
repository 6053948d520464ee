// API keys of endpoints, held in memory only: model configs, experiment.json, manifests and run logs are written
// to disk, so a key never travels in them. The CLI fills this from environment variables, the desktop app from
// keys it keeps with Electron's safeStorage.
const keys = new Map<string, string>();

const normalize = (baseUrl: string) => baseUrl.replace(/\/+$/, "");

export function setEndpointKey(baseUrl: string, key: string | undefined): void {
  if (key) keys.set(normalize(baseUrl), key);
  else keys.delete(normalize(baseUrl));
}

export function endpointKey(baseUrl: string): string | undefined {
  return keys.get(normalize(baseUrl));
}

/**
 * Keys handed to an engine child process by its supervisor, as JSON {baseUrl: key} in REFINERY_ENDPOINT_KEYS;
 * the variable is removed from the environment once read.
 */
export function loadEndpointKeysFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  const raw = env.REFINERY_ENDPOINT_KEYS;
  if (!raw) return;
  delete env.REFINERY_ENDPOINT_KEYS;
  try {
    for (const [baseUrl, key] of Object.entries(JSON.parse(raw) as Record<string, string>)) setEndpointKey(baseUrl, key);
  } catch {
    // a malformed hand-over only means the endpoints answer 401, which says so
  }
}
