/** Replaces the patron's part of the screen while nothing can be saved: plain words for the patron, the reason in small print for staff. */
import { Box, Text } from 'ink';
import { blockRows, blockWidth } from '../blockFont.js';
import type { Glyphs } from '../glyphs.js';

const TITLE = 'OUT OF SERVICE';

export function OutOfService({
  reason,
  columns,
  glyphs,
}: {
  reason?: string;
  columns: number;
  glyphs: Glyphs;
}) {
  const big = blockWidth(TITLE) + 2 <= columns;
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box backgroundColor="red" flexDirection="column" alignItems="center" paddingY={1}>
        {big ? (
          blockRows(TITLE).map((row, i) => (
            <Text key={i} color="whiteBright">
              {row}
            </Text>
          ))
        ) : (
          <Text bold color="whiteBright">
            {`${glyphs.bad} ${TITLE} ${glyphs.bad}`}
          </Text>
        )}
      </Box>
      <Box paddingX={1} paddingTop={1} flexDirection="column">
        <Text bold color="redBright">
          {`${TITLE} ${glyphs.dash} loans and returns can't be saved right now. Please see staff.`}
        </Text>
        {reason !== undefined && (
          <Box paddingTop={1} height={4} overflow="hidden">
            <Text dimColor>{`For staff: ${reason}`}</Text>
          </Box>
        )}
      </Box>
    </Box>
  );
}
