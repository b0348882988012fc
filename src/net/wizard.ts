import type { Plan } from '../core/plan.js';
import type { NetRequest } from './define.js';

/**
 * What the TUI's network wizard (`N`) needs, behind one interface (the UI
 * knows neither the host nor the store): a proposed free subnet, and the
 * the CLI's check of an IPv6 prefix (run on every key), and the
 * plan of a new network whose first step stores its definition (so a
 * rolled-back run leaves no definition behind either).
 */
export interface NetworkWizard {
  /** A free /24 overlapping no host address, route or other network, a random ULA /64 for IPv6; and whether we are root. */
  prepare(): Promise<{ subnet: string; ula: string; root: boolean; parents: string[]; usernet: { bridge: string; quota: number; left: number }[]; user: string }>;
  /** The one-line error `net create --ipv6 PREFIX` gives for a typed prefix (against the host facts of the last prepare), or null when it is good. */
  checkIpv6(prefix: string): string | null;
  /** Validates the request against the host (one-line LxcdeckError when it is bad) and plans it. */
  createPlan(req: NetRequest): Promise<Plan>;
  /** Every network with its state, DHCP leases (from the lease file), forwards and members: the networks view. */
  list(): Promise<NetworkRow[]>;
}

export interface NetworkRow {
  name: string;
  kind: string;
  state: string;
  link: string;
  subnet: string;
  members: string[];
  forwards: string[];
  leases: string[];
}
