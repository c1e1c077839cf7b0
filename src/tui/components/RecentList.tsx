/** This session's transactions (newest last, as many as fit): time, Loan/Return, item. Never a patron ID. */
import { Box, Text } from 'ink';
import type { ScreenModel } from '../screenModel.js';

export function RecentList({ recent, rows }: { recent: ScreenModel['recent']; rows: number }) {
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
          {`${row.time}  ${row.kind.padEnd(6)}  ${row.item}`}
        </Text>
      ))}
    </Box>
  );
}
