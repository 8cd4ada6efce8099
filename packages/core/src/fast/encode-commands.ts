/** Commands as one RESP2 byte buffer: `*<n>` then each argument as a bulk string (for raw channels and pipes). */
export function encodeCommands(commands: readonly (readonly string[])[]): Buffer {
  let text = "";
  for (const args of commands) {
    text += `*${args.length}\r\n`;
    for (const arg of args) text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  }
  return Buffer.from(text, "utf8");
}
