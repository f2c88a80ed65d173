/**
 * Identity of media items: an item is its bytes. Its ID is the SHA-256 of its bytes (the
 * entry's `sha256`), the same in every run, and a media set holds each item once.
 *
 * Whoever lands an item first claims it with `<dataset>/media/items/<sha[0:2]>/<sha256>.json`
 * ({item, key, path, runKey}), created exclusively. A later object with the same bytes is a
 * duplicate of the claim's key when the claim is this run's (another key), or a committed
 * run's (APPEND/UPDATE jobs: that item is in the view). A claim of a run that never committed
 * is stale (that run failed) and is taken over, as is a committed claim when the job's
 * transaction is SNAPSHOT (a new snapshot must hold every item itself).
 */
import { Dataset } from '../datasets/dataset';
import type { StoreBackend } from '../datasets/backend';

/** The claim file of an item. */
export interface ItemClaim {
  item: string;
  key: string;
  path: string;
  runKey: string;
}

/** Store path of item `sha256`'s claim. */
export function claimPath(dataset: string, sha256: string): string {
  return `${dataset}/media/items/${sha256.slice(0, 2)}/${sha256}.json`;
}

/** The verdict on one object: a new item, or a duplicate of an item landed from `of`. */
export type Identity = { duplicate: false } | { duplicate: true; of: string };

/** Deduplicates the objects of one run; the caller decides one object at a time. */
export function itemIdentity(store: StoreBackend, dataset: string, runKey: string, snapshot: boolean) {
  let committed: Promise<Set<string>> | undefined;
  const isCommitted = async (run: string) => {
    committed ??= new Dataset(store, dataset).transactions().then((rs) => new Set(rs.map((r) => r.runKey)));
    return (await committed).has(run);
  };
  return async (sha256: string, key: string, path: string): Promise<Identity> => {
    const file = claimPath(dataset, sha256);
    const mine: ItemClaim = { item: sha256, key, path, runKey };
    for (let attempt = 0; attempt < 3; attempt++) {
      const text = await store.read(file);
      if (!text) {
        if (await store.createExclusive(file, JSON.stringify(mine))) return { duplicate: false };
        continue;
      }
      const claim = JSON.parse(text.toString('utf8')) as ItemClaim;
      if (claim.runKey === runKey) return claim.key === key ? { duplicate: false } : { duplicate: true, of: claim.key };
      if (!snapshot && await isCommitted(claim.runKey)) return { duplicate: true, of: claim.key };
      await store.write(file, JSON.stringify(mine));
      return { duplicate: false };
    }
    throw new Error(`the claim ${file} keeps changing; another run is landing the same item. Fix: run one media job per dataset at a time.`);
  };
}
