import { DISCORD_LIMITS as L } from './limits.js';
import { splitText } from './text.js';

/**
 * Fills embed descriptions (≤ 4096) with whole blocks, and messages with embeds (≤ 10, and
 * ≤ 6000 characters with room kept for each message's title and footer), in order.
 */
export function packDescriptions(
  blocks: string[],
  reserve: { titleReserve: number; footerSize: number },
): string[][] {
  const budget = L.embedTotal - reserve.titleReserve - reserve.footerSize;
  const messages: string[][] = [];
  let embeds: string[] = [];
  let used = 0; // characters in `embeds`
  let chunk = '';
  const room = () => Math.min(L.description, budget - used);
  const closeChunk = () => {
    if (chunk === '') return;
    embeds.push(chunk);
    used += chunk.length;
    chunk = '';
  };
  const closeMessage = () => {
    closeChunk();
    if (embeds.length > 0) messages.push(embeds);
    embeds = [];
    used = 0;
  };
  for (const block of blocks) {
    for (const piece of splitText(block, Math.min(L.description, budget))) {
      const joined = chunk === '' ? piece : `${chunk}\n${piece}`;
      if (joined.length <= room()) {
        chunk = joined;
        continue;
      }
      closeChunk();
      if (embeds.length >= L.embedsPerMessage || piece.length > room()) closeMessage();
      chunk = piece;
    }
  }
  closeMessage();
  return messages.length > 0 ? messages : [['\u200b']];
}
