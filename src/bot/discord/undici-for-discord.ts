/**
 * What the bundle gives discord.js and @discordjs/rest when they import `undici` (scripts/build.mjs
 * points their imports here): the bot's own undici 7 instead of the undici 6 each ships (two
 * 430 kB copies evaluated as the Discord chunk loads). @discordjs/rest builds file uploads with
 * `FormData` (the build makes its global `FormData` and `Response` these too) and wants `request`
 * and `Headers` only for its default transport, which the adapter replaces
 * (src/bot/discord/rest-transport.ts); discord.js wants `fetch` for URL attachments and the shard
 * count lookup. Never Node's globals of those names: reading one loads Node's internal undici
 * (10–16 MB that stays).
 */
export { fetch, FormData, Headers, request, Response } from 'undici';
