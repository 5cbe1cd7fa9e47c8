/**
 * The store's LISTEN connection: a client of its own (a pooled one would be handed to other
 * work), on which every committed write's NOTIFY arrives with its revision. When the
 * connection is lost the store is told at once and the listener reconnects with exponential
 * backoff (PostgreSQL documentation, "LISTEN": notifications sent while a session is not
 * listening are not delivered to it later, so the store reads the events table on return).
 */
import pg from 'pg'
import { StoreUnavailableError } from '../store.js'
import { clientConfig } from './connection.js'
import type { ConnectionSettings } from './connection.js'
import { asStoreError } from './errors.js'

/** ListenerEvents are what the listener tells its store. */
export interface ListenerEvents {
  /** A write committed up to this revision. */
  notified(revision: number): void
  /** The connection is lost: notifications may be missed until `restored`. */
  lost(error: StoreUnavailableError): void
  /** The listener listens again. */
  restored(): void
}

/** ListenerTiming bounds the delays between reconnection attempts and paces the heartbeat. */
export interface ListenerTiming {
  readonly initialMs: number
  readonly maxMs: number
  /**
   * How often the listener checks its connection with a query, and how long the answer may
   * take: a connection that died without closing (a network partition) would otherwise keep the
   * store waiting for notifications that never come.
   */
  readonly heartbeatMs: number
}

/** Listener keeps one LISTEN connection open. */
export class Listener {
  private readonly settings: ConnectionSettings
  private readonly channel: string
  private readonly events: ListenerEvents
  private readonly timing: ListenerTiming
  private client: pg.Client | undefined
  private closed = false
  private timer: NodeJS.Timeout | undefined
  private readonly heartbeat: NodeJS.Timeout

  constructor(
    settings: ConnectionSettings,
    channel: string,
    events: ListenerEvents,
    timing: ListenerTiming,
  ) {
    this.settings = settings
    this.channel = channel
    this.events = events
    this.timing = timing
    this.heartbeat = setInterval(() => this.check(), timing.heartbeatMs)
    this.heartbeat.unref()
  }

  /** start connects and listens; throws StoreUnavailableError when it cannot. */
  async start(): Promise<void> {
    this.client = await this.connect()
  }

  /** listening tells whether notifications arrive now. */
  get listening(): boolean {
    return this.client !== undefined
  }

  /** close stops listening and reconnecting. */
  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    clearInterval(this.heartbeat)
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => undefined)
  }

  // A heartbeat that fails or times out (query_timeout) counts as the connection lost.
  private check(): void {
    const client = this.client
    client?.query('SELECT 1').catch((error: unknown) => {
      this.lost(client, error instanceof Error ? error : new Error(String(error)))
    })
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      ...clientConfig(this.settings),
      query_timeout: this.timing.heartbeatMs,
    })
    client.on('notification', (message) => {
      const revision = Number(message.payload)
      if (Number.isSafeInteger(revision)) this.events.notified(revision)
    })
    client.on('error', (error) => this.lost(client, error))
    client.on('end', () => this.lost(client, new Error('the LISTEN connection ended')))
    try {
      await client.connect()
      await client.query(`LISTEN ${this.channel}`)
    } catch (error) {
      await client.end().catch(() => undefined)
      throw asStoreError(error)
    }
    return client
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.closed || client !== this.client) return
    this.client = undefined
    client.end().catch(() => undefined)
    this.events.lost(new StoreUnavailableError({ cause: error }))
    this.retry(this.timing.initialMs)
  }

  private retry(delayMs: number): void {
    // Jitter spreads the replicas' attempts after a database restart.
    const wait = delayMs / 2 + Math.random() * (delayMs / 2)
    this.timer = setTimeout(() => {
      this.connect().then(
        (client) => {
          if (this.closed) {
            client.end().catch(() => undefined)
            return
          }
          this.client = client
          this.events.restored()
        },
        () => {
          if (!this.closed) this.retry(Math.min(delayMs * 2, this.timing.maxMs))
        },
      )
    }, wait)
    this.timer.unref()
  }
}
