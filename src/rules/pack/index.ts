import type { RuleGroup } from '../model.js';
import { alertmanager } from './alertmanager.js';
import { deadman } from './deadman.js';
import { host } from './host.js';
import { pve } from './pve.js';
import { relay } from './relay.js';
import { watch } from './watch.js';

/** The whole pack, in the order it is rendered. */
export const PACK: readonly RuleGroup[] = [deadman, alertmanager, relay, watch, pve, host];
