/** Discord's documented message and embed limits (counted in UTF-16 code units, the safe side). */
export const DISCORD_LIMITS = {
  content: 2000,
  embedsPerMessage: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** Sum of title, description, field names and values, footer and author across one message's embeds. */
  embedTotal: 6000,
  username: 80,
} as const;
