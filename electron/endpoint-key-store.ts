// Endpoint API keys in the desktop app: encrypted with Electron's safeStorage (the OS keychain) in one file
// under userData, handed to each engine process in memory. Never in run logs, manifests or experiment configs.
import { safeStorage } from "electron";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type Stored = Record<string, string>;

function read(path: string): Stored {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Stored;
  } catch {
    return {};
  }
}

export function endpointKeyStore(userData: string) {
  const path = join(userData, "endpoint-keys.json");
  return {
    /** Keeps a key for a base URL; refused (not written in the clear) when the OS offers no encryption. */
    save(baseUrl: string, key: string): boolean {
      if (!safeStorage.isEncryptionAvailable()) return false;
      const stored = read(path);
      stored[baseUrl.replace(/\/+$/, "")] = safeStorage.encryptString(key).toString("base64");
      writeFileSync(`${path}.tmp`, JSON.stringify(stored), { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
      return true;
    },
    /** Every key, decrypted, as {baseUrl: key} for the engine process (REFINERY_ENDPOINT_KEYS). */
    all(): Stored {
      if (!safeStorage.isEncryptionAvailable()) return {};
      const keys: Stored = {};
      for (const [baseUrl, encrypted] of Object.entries(read(path))) {
        try {
          keys[baseUrl] = safeStorage.decryptString(Buffer.from(encrypted, "base64"));
        } catch {
          // a key from another OS account or keychain: the endpoint answers 401 and says so
        }
      }
      return keys;
    },
  };
}
