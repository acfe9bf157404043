// Type declarations for switchboard.js, the Switchboard JavaScript SDK
// (protocol version 1). Served next to the module at /sdk/v1/switchboard.d.ts.

/** A place in a channel's stream. */
export interface Position {
  offset: number;
  epoch: string;
}

/** A publication received on a subscription or read from history. */
export interface Message<T = unknown> {
  channel: string;
  offset: number;
  epoch: string;
  data: T;
  /** Publisher's user ID ("" for server publications). */
  from: string;
  time: Date;
}

/** A message sent to this user by another user. */
export interface PeerMessage<T = unknown> {
  from: string;
  data: T;
  time: Date;
  /** Stored while this user was offline, delivered at login. */
  offline: boolean;
  /** Set for stored messages, 0 otherwise. */
  messageId: number;
}

/** The server's answer to sendPeer. */
export interface Receipt {
  status: 'delivered' | 'stored' | 'failed';
  /** For failed: "offline" or "offline_quota"; "" otherwise. */
  reason: string;
  /** For stored. */
  messageId: number;
  /** For stored: when the stored message is dropped. */
  expiresAt: Date | null;
}

/** A user present in a channel. */
export interface Member {
  user: string;
  connections: number;
  state: Record<string, string>;
}

/** A join, leave or state change in a channel. */
export interface PresenceEvent {
  channel: string;
  type: 'join' | 'leave' | 'state';
  user: string;
  state: Record<string, string>;
}

/** A page of a channel's history. */
export interface History {
  /** The channel's latest position. */
  position: Position;
  /** Oldest offset still kept (0 if none). */
  oldest: number;
  /** Oldest first. */
  publications: Message[];
}

/** Outcome of a subscribe that asked for recovery. */
export interface Recovery {
  /** False means some messages were lost (outside the history window). */
  recovered: boolean;
  /** How many messages the server resent. */
  missed: number;
}

/** The current connection. */
export interface Info {
  clientId: string;
  userId: string;
  appId: string;
  expiresAt: Date;
  limits: {
    max_message_bytes: number;
    publish_rate: number;
    publish_burst: number;
    max_subscriptions: number;
    max_frame_bytes: number;
  };
}

export interface ClientEvents {
  connect: (info: Info) => void | Promise<void>;
  disconnect: (error: SwitchboardError) => void | Promise<void>;
  reconnecting: (e: { attempt: number; delay: number; error: Error }) => void | Promise<void>;
  resubscribe: (e: Recovery & { channel: string }) => void | Promise<void>;
  expiring: (e: { expiresAt: Date }) => void | Promise<void>;
  refresh: (e: { expiresAt: Date }) => void | Promise<void>;
  peer: (m: PeerMessage) => void | Promise<void>;
  presence: (e: PresenceEvent) => void | Promise<void>;
  error: (error: Error) => void | Promise<void>;
  close: (error: Error | undefined) => void | Promise<void>;
}

export interface ClientOptions {
  /** Returns a fresh token for the same user and app. */
  getToken?: () => Promise<string>;
  /** App ID the token must be for (error 114 wrong_app otherwise). */
  app?: string;
  /** Listeners registered before connecting. */
  on?: Partial<ClientEvents>;
  /** First reconnect delay bound in ms (default 250). */
  minBackoff?: number;
  /** Largest reconnect delay bound in ms (default 10000). */
  maxBackoff?: number;
  /** How long a request waits for a connection and a reply, in ms (default 10000). */
  timeout?: number;
  /** WebSocket implementation (default globalThis.WebSocket). */
  WebSocket?: typeof WebSocket;
}

export interface SubscribeOptions<T = unknown> {
  onMessage?: (m: Message<T>) => void | Promise<void>;
  /** Acknowledged delivery: a message whose onMessage throws is redelivered by the server. */
  ack?: boolean;
  /** Start from a saved position. */
  recover?: Position;
  /** Receive presence events (implied by onPresence). */
  presence?: boolean;
  onPresence?: (e: PresenceEvent) => void | Promise<void>;
  onResubscribe?: (r: Recovery & { channel: string }) => void | Promise<void>;
}

/** The name this SDK sends in connect's `sdk` object: "switchboard-js". */
export const SDK_NAME: string;
/** This SDK's semantic version, the same as its package.json's. */
export const VERSION: string;

/** Protocol error codes by name, e.g. ErrorCodes.token_expired === 111. */
export const ErrorCodes: Readonly<Record<string, number>>;
/** WebSocket close codes the server uses, by name. */
export const CloseCodes: Readonly<Record<string, number>>;

/** An error from the server or the connection. */
export class SwitchboardError extends Error {
  constructor(code: number, message: string, codeName?: string);
  /** Protocol error code (100-151), close code (1002, 1009, 4001-4007), or 0 for client-side errors. */
  code: number;
  /** Name of code, or "closed", "disconnected", "timeout", "token_renewal" when code is 0. */
  codeName: string;
}

/** A live subscription to one channel; it survives reconnects. */
export class Subscription {
  readonly channel: string;
  /** Position of the last message delivered to onMessage. */
  readonly position: Position;
  /** Outcome of the last subscribe or resubscribe that asked for recovery. */
  readonly recovery: Recovery | null;
  unsubscribe(): Promise<void>;
}

/** A connection to a Switchboard engine that stays up by itself. */
export class Client {
  constructor(url: string, token: string, options?: ClientOptions);
  connect(): Promise<Info>;
  on<E extends keyof ClientEvents>(event: E, fn: ClientEvents[E]): this;
  off<E extends keyof ClientEvents>(event: E, fn: ClientEvents[E]): this;
  readonly info: Info | null;
  readonly connected: boolean;
  subscribe<T = unknown>(channel: string, options?: SubscribeOptions<T>): Promise<Subscription>;
  publish(channel: string, data: unknown): Promise<Position>;
  sendPeer(to: string, data: unknown, options?: { store?: boolean }): Promise<Receipt>;
  presence(channel: string): Promise<Member[]>;
  setState(channel: string, state: Record<string, string>): Promise<void>;
  whereNow(user: string): Promise<string[]>;
  history(channel: string, options?: { since?: number; until?: number; limit?: number; latest?: boolean }): Promise<History>;
  close(): void;
}

/** Connects and authenticates; rejects with the server's error. */
export function connect(url: string, token: string, options?: ClientOptions): Promise<Client>;
