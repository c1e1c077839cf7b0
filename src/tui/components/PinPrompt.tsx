/** The staff PIN prompt (the PIN as dots only) or the lock notice with its time left; an empty row otherwise. */
import { Box, Text } from 'ink';
import type { Glyphs } from '../glyphs.js';
import type { ScreenModel } from '../screenModel.js';

export function PinPrompt({ staff, glyphs }: { staff: ScreenModel['staff']; glyphs: Glyphs }) {
  return (
    <Box height={1} flexShrink={0} overflow="hidden">
      {staff?.kind === 'prompt' && (
        <>
          <Text inverse bold color="yellow">{` ${staff.text} `}</Text>
          <Text bold>{` ${staff.dots}_`}</Text>
          {staff.error !== undefined && <Text color="red" bold>{`  ${glyphs.bad} ${staff.error}`}</Text>}
          <Text dimColor wrap="truncate-end">
            {`  Enter = OK ${glyphs.separator} Esc = cancel`}
          </Text>
        </>
      )}
      {staff?.kind === 'locked' && (
        <Text color="red" bold wrap="truncate-end">
          {`${glyphs.bad} ${staff.text}`}
        </Text>
      )}
    </Box>
  );
}
