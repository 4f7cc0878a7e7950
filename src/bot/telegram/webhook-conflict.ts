/**
 * A webhook left set (the token once served a webhook deployment) makes every getUpdates answer
 * 409 "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to
 * delete the webhook first" (tdlib/telegram-bot-api, Client.cpp). Deleting the webhook only when
 * that answer comes spares every start a deleteWebhook round trip before its first poll.
 */
import type { Transformer } from 'grammy';

/** A transformer that, on getUpdates' webhook conflict, deletes the webhook (pending updates kept) and polls again. */
export function deleteWebhookOnConflict(onConflict: () => void): Transformer {
  return async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (method !== 'getUpdates' || !isWebhookConflict(res)) return res;
    onConflict();
    const deleted = await prev('deleteWebhook', {}, signal);
    return deleted.ok ? prev(method, payload, signal) : res;
  };
}

/** True for the 409 that names an active webhook (not the other 409: a second poller). */
function isWebhookConflict(res: { ok: boolean; error_code?: number; description?: string }): boolean {
  return !res.ok && res.error_code === 409 && /webhook/i.test(res.description ?? '');
}
