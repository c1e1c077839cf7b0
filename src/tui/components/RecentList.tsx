/**
 * This session's transactions (newest last, as many as fit): time, Loan/Return, item, a loan's provisional
 * due date. Never a patron ID. In its place for a few seconds after a session: the session's summary.
 */
import { Box, Text } from 'ink';
import type { ScreenModel } from '../screenModel.js';

export function RecentList({
  recent,
  rows,
  summary,
}: {
  recent: ScreenModel['recent'];
  rows: number;
  summary?: ScreenModel['summary'];
}) {
  if (summary && recent.rows.length === 0)
    return (
      <Box flexDirection="column" height={rows + 1} flexShrink={0} paddingLeft={1}>
        <Text bold wrap="truncate-end">
          {summary.title}
        </Text>
        {summary.lines.slice(0, rows).map((line, i) => (
          <Text key={i} wrap="truncate-end">
            {line}
          </Text>
        ))}
      </Box>
    );
  return (
    <Box flexDirection="column" height={rows + 1} flexShrink={0} paddingLeft={1}>
      {recent.heading !== '' && (
        <Text bold underline wrap="truncate-end">
          {recent.heading}
        </Text>
      )}
      {recent.rows.map((row, i) => (
        // Truncated in the middle: the end of a long barcode is what tells items apart.
        <Text key={i} wrap="truncate-middle">
          {`${row.time}  ${row.kind.padEnd(6)}  ${row.item}${row.due ? `  ${row.due}` : ''}`}
        </Text>
      ))}
    </Box>
  );
}
