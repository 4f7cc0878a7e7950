/** MAC addresses as people type them and as the router prints them. */

/** `aa-bb-cc-dd-ee-ff` / `aabb.ccdd.eeff` → `AA:BB:CC:DD:EE:FF`; undefined when it is not a MAC. */
export function normalizeMac(text: string): string | undefined {
  const hex = text.trim().replace(/[:.-]/g, '').toUpperCase();
  if (!/^[0-9A-F]{12}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}
