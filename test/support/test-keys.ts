import type { MessageKey } from '../../src/core/i18n.ts';

/**
 * A message key that only a test's own catalogue fragment (or no catalogue) defines. The
 * product's key union does not list test keys, on purpose: this is the one visible cast.
 */
export const testKey = (key: string): MessageKey => key as MessageKey;
