/** The one thing the person in front of the kiosk should do now, and the session's time left. */
import { Box, Text } from 'ink';
import type { ScreenModel } from '../screenModel.js';

export function Instruction({ instruction }: { instruction: ScreenModel['instruction'] }) {
  return (
    <Box flexDirection="column" height={2} flexShrink={0} paddingLeft={1}>
      <Text bold color="cyanBright" wrap="truncate-end">
        {instruction.text}
      </Text>
      <Text wrap="truncate-end">{instruction.detail}</Text>
    </Box>
  );
}
