import type { ConsoleRole } from '../api/types';

/** The signed-in person, as a request carries them (SessionGuard). */
export interface ConsoleUser {
  userId: string;
  name: string;
  email: string;
  role: ConsoleRole;
  /** The admin's tenant; null for an operator. */
  tenantId: string | null;
  csrfToken: string;
  /** SHA-256 of the session cookie's token (the session's key). */
  sessionKey: string;
}

/** Who a sign-in makes someone, before their session exists. */
export type Identity = Omit<ConsoleUser, 'csrfToken' | 'sessionKey'>;
