/**
 * For staff: each scanner's state in words (and the first problem's reason), the journal (file, today's
 * count, last write), outbox, station, clock.
 */
import type { Ref } from 'react';
import { Box, type DOMElement, Text } from 'ink';
import type { Glyphs } from '../glyphs.js';
import type { ScreenModel } from '../screenModel.js';

/** Columns the last write keeps however narrow the line: "last write OK 14:02", or an error's start. */
const LAST_WRITE_MIN = 32;

export function StatusLine({
  status,
  glyphs,
  clockRef,
}: {
  status: ScreenModel['status'];
  glyphs: Glyphs;
  /** The clock's own box: where it was drawn, for redrawing the minute alone (clockInPlace.ts). */
  clockRef?: Ref<DOMElement>;
}) {
  const sep = ` ${glyphs.separator} `;
  const { journal } = status;
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box>
        <Box flexGrow={1} flexShrink={1}>
          <Text wrap="truncate-end">
            {'Scanners:'}
            {status.devices.length === 0 && ' none'}
            {status.devices.map((d) => (
              <Text key={d.id} color={d.ok ? 'green' : 'red'} bold={!d.ok}>
                {` ${d.id} ${d.word}`}
              </Text>
            ))}
            {status.printer && (
              <Text color={status.printer.ok ? 'green' : 'red'} bold={!status.printer.ok}>
                {`  Printer: ${status.printer.word}`}
              </Text>
            )}
          </Text>
        </Box>
        <Box flexShrink={0} paddingLeft={1}>
          <Text>{`${status.station}  `}</Text>
          <Box ref={clockRef} flexShrink={0}>
            <Text bold>{status.clock}</Text>
          </Box>
        </Box>
      </Box>
      {/* The first scanner that needs attention, and why, on a row of its own: the technician's clue. */}
      {status.problem !== undefined && <Text wrap="truncate-end">{`  ${status.problem}`}</Text>}
      <Box>
        <Box flexShrink={1} minWidth={12}>
          <Text wrap="truncate-middle">{`Journal: ${journal.path}`}</Text>
        </Box>
        <Box flexShrink={0}>
          <Text>{`${sep}${journal.today} today${sep}`}</Text>
        </Box>
        {/* The path gives way first: the last write (or the start of its error) must stay readable. */}
        <Box flexShrink={1} flexGrow={1} minWidth={Math.min(journal.last.length, LAST_WRITE_MIN)}>
          <Text color={journal.ok ? 'green' : 'red'} bold={!journal.ok} wrap="truncate-end">
            {journal.last}
          </Text>
        </Box>
        {status.outbox !== undefined && (
          <Box flexShrink={0}>
            <Text>{`${sep}Outbox: ${status.outbox}`}</Text>
          </Box>
        )}
        {status.forward !== undefined && (
          <Box flexShrink={0}>
            <Text>{sep}</Text>
            <Text color={status.forward.ok ? undefined : 'red'}>{status.forward.text}</Text>
          </Box>
        )}
      </Box>
    </Box>
  );
}
