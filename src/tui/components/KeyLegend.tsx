/** The keys and what they do, from config.keys; "(staff)" where the PIN guards a key. */
import { Box, Text } from 'ink';
import type { ScreenModel } from '../screenModel.js';

export function KeyLegend({ legend }: { legend: ScreenModel['legend'] }) {
  return (
    <Box flexShrink={0} height={1} overflow="hidden">
      {legend.map(({ key, label }) => (
        <Box key={key} marginRight={2} flexShrink={0}>
          <Text inverse bold>{` ${key} `}</Text>
          <Text>{` ${label}`}</Text>
        </Box>
      ))}
    </Box>
  );
}
