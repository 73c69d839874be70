/**
 * Masks asset hashes in snapshots, so an edit to the handler code does not rewrite every snapshot:
 * the fine-grained assertions carry the meaning, the snapshot only guards against surprises.
 */
const ASSET_HASH = /[0-9a-f]{64}(\.zip)?/g;

module.exports = {
  test: (value: unknown) => typeof value === 'string' && ASSET_HASH.test(value) && !value.startsWith('[ASSET]'),
  serialize: (value: string) => JSON.stringify(`[ASSET]${value.replace(ASSET_HASH, 'HASH')}`),
};
