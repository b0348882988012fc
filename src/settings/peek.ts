import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSettings, type Settings } from './settingsSchema.js';

/**
 * Reads the settings file without loading `conf` (and its JSON-schema stack),
 * for the first frame: the TUI draws with these, then opens the full
 * SettingsStore for writes once it is on screen.
 */
export function peekSettings(dir: string): { settings: Settings; problems: string[] } {
  const file = path.join(dir, 'config.json');
  let raw: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) raw = value as Record<string, unknown>;
  } catch {
    /* missing or unreadable: SettingsStore reports it once it loads */
  }
  return parseSettings(raw);
}
