import type { Reachability } from '../../node/contracts.ts'
import type { Role } from './messages.ts'

export type RoleSetting = 'auto' | 'super' | 'ordinary'
export type AttachSetting = 'auto' | 'always' | 'never'

/**
 * Supernode election, Skype-style: a peer serves as a supernode when told to, or (auto)
 * when it can be dialled from outside and runs the relay server. Everyone else is ordinary.
 */
export function decideRole (setting: RoleSetting, reachability: Reachability, relayServer: boolean): Role {
  if (setting === 'super') return 'super'
  if (setting === 'ordinary') return 'ordinary'
  return reachability === 'public' && relayServer ? 'super' : 'ordinary'
}

/** Whether an ordinary peer should hold a relay reservation on a supernode. */
export function shouldAttach (role: Role, setting: AttachSetting, reachability: Reachability): boolean {
  if (role === 'super' || setting === 'never') return false
  if (setting === 'always') return true
  return reachability !== 'public'
}
