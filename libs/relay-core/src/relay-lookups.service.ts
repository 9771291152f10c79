import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DomainException } from '@app/common';
import { type ConsumerKeySigningMaterial, ConsumerKeysService } from '@app/consumer-keys';
import {
  GrantsService,
  type InvalidationMessage,
  type ParsedCidr,
  parseAllowedIps,
  type RelayGrant,
  sha256Hex,
} from '@app/grants';
import { BoundedCache } from './bounded-cache';
import { RelayInvalidationListener } from './relay-invalidation.listener';
import { RELAY_SETTINGS, type RelaySettings } from './relay-settings';

export interface CachedGrant extends RelayGrant {
  cidrs: ParsedCidr[] | null;
}

export type MaterialLookup =
  { usable: true; material: ConsumerKeySigningMaterial } | { usable: false; state: string };

const DEGRADED_TTL_MS = 1000;

// The relay's hot path makes no database round trip: grants (by minted AK and by bearer-token
// hash) and consumer-key signing material are cached in bounded LRUs, dropped on invalidation
// (LISTEN/NOTIFY or the in-process bus). Unknown keys are cached briefly in a separate, bounded
// cache so a flood of invalid credentials can neither grow memory nor evict real grants.
// Concurrent misses for one key share a single load.
@Injectable()
export class RelayLookups implements OnModuleInit {
  private readonly byAppKey: BoundedCache<string, CachedGrant>;
  private readonly byTokenHash: BoundedCache<string, CachedGrant>;
  private readonly unknown: BoundedCache<string, true>;
  private readonly materials: BoundedCache<string, MaterialLookup>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private generation = 0;
  private loads = 0;

  constructor(
    private readonly grants: GrantsService,
    private readonly consumerKeys: ConsumerKeysService,
    private readonly listener: RelayInvalidationListener,
    @Inject(RELAY_SETTINGS) private readonly settings: RelaySettings,
  ) {
    const max = settings.cacheMaxEntries;
    this.byAppKey = new BoundedCache(max);
    this.byTokenHash = new BoundedCache(max);
    this.unknown = new BoundedCache(max);
    this.materials = new BoundedCache(max);
  }

  onModuleInit(): void {
    this.listener.subscribe((m) => this.invalidate(m));
  }

  async grantByAppKey(appKey: string): Promise<CachedGrant | null> {
    const hit = this.byAppKey.get(appKey);
    if (hit) return hit;
    if (this.unknown.get(`ak:${appKey}`)) return null;
    return this.load(
      `ak:${appKey}`,
      async () => {
        const grant = await this.grants.findRelayGrantByAppKey(appKey);
        return grant ? withCidrs(grant) : null;
      },
      (value, gen) => {
        if (gen !== this.generation) return;
        if (value) this.byAppKey.set(appKey, value, this.ttl());
        else this.unknown.set(`ak:${appKey}`, true, this.settings.negativeCacheTtlMs);
      },
    );
  }

  async grantByToken(token: string): Promise<CachedGrant | null> {
    const hash = sha256Hex(token);
    const hit = this.byTokenHash.get(hash);
    if (hit) return hit;
    if (this.unknown.get(`tk:${hash}`)) return null;
    return this.load(
      `tk:${hash}`,
      async () => {
        const grant = await this.grants.findRelayGrantByToken(token);
        return grant ? withCidrs(grant) : null;
      },
      (value, gen) => {
        if (gen !== this.generation) return;
        if (value) this.byTokenHash.set(hash, value, this.ttl());
        else this.unknown.set(`tk:${hash}`, true, this.settings.negativeCacheTtlMs);
      },
    );
  }

  // Decrypted real keys: bounded and short-lived, dropped as soon as the consumer key changes.
  async material(consumerKeyId: string): Promise<MaterialLookup> {
    const hit = this.materials.get(consumerKeyId);
    if (hit) return hit;
    return this.load(
      `ck:${consumerKeyId}`,
      async (): Promise<MaterialLookup> => {
        try {
          return { usable: true, material: await this.consumerKeys.getSigningMaterial(consumerKeyId) };
        } catch (e) {
          if (e instanceof DomainException && (e.kind === 'conflict' || e.kind === 'not_found')) {
            const state = typeof e.details?.state === 'string' ? e.details.state : 'unknown';
            return { usable: false, state };
          }
          throw e;
        }
      },
      (value, gen) => {
        if (gen !== this.generation) return;
        const ttl = value.usable
          ? Math.min(this.settings.materialTtlMs, this.ttl())
          : this.settings.negativeCacheTtlMs;
        this.materials.set(consumerKeyId, value, ttl);
      },
    );
  }

  invalidate(message: InvalidationMessage): void {
    this.generation++;
    switch (message.topic) {
      case 'grant':
        this.byAppKey.deleteWhere((g) => g.id === message.id);
        this.byTokenHash.deleteWhere((g) => g.id === message.id);
        break;
      case 'consumer_key':
        this.materials.delete(message.id);
        this.byAppKey.deleteWhere((g) => g.consumerKeyId === message.id);
        this.byTokenHash.deleteWhere((g) => g.consumerKeyId === message.id);
        break;
      default:
        this.clear();
    }
  }

  forgetMaterial(consumerKeyId: string): void {
    this.generation++;
    this.materials.delete(consumerKeyId);
  }

  clear(): void {
    this.byAppKey.clear();
    this.byTokenHash.clear();
    this.unknown.clear();
    this.materials.clear();
  }

  stats(): Record<string, number> {
    return {
      grantsByKey: this.byAppKey.size,
      grantsByToken: this.byTokenHash.size,
      unknownKeys: this.unknown.size,
      materials: this.materials.size,
      loads: this.loads,
      maxEntries: this.settings.cacheMaxEntries,
    };
  }

  private ttl(): number {
    return this.listener.isLive() ? this.settings.cacheTtlMs : DEGRADED_TTL_MS;
  }

  // A load that overlapped an invalidation is used once but not cached: it may predate it.
  private load<T>(
    key: string,
    fetch: () => Promise<T>,
    store: (value: T, generation: number) => void,
  ): Promise<T> {
    const pending = this.inflight.get(key);
    if (pending) return pending as Promise<T>;
    const generation = this.generation;
    this.loads++;
    const promise = fetch()
      .then((value) => {
        store(value, generation);
        return value;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }
}

function withCidrs(grant: RelayGrant): CachedGrant {
  return {
    ...grant,
    cidrs: grant.allowedIPs && grant.allowedIPs.length > 0 ? parseAllowedIps(grant.allowedIPs) : null,
  };
}
