/** The staff PIN prompt (the PIN as dots only) or the lock notice with its time left; an empty row otherwise. */
import { Box, Text } from 'ink';
import type { ScreenModel } from '../screenModel.js';

export function PinPrompt({ staff }: { staff: ScreenModel['staff'] }) {
  return (
    <Box height={1} flexShrink={0} overflow="hidden">
      {staff?.kind === 'prompt' && (
        <>
          <Text inverse bold color="yellow">{` ${staff.text} `}</Text>
          <Text bold>{` ${staff.dots}_`}</Text>
          {staff.error !== undefined && <Text color="red" bold>{`  ✗ ${staff.error}`}</Text>}
          <Text dimColor wrap="truncate-end">
            {'  Enter = OK · Esc = cancel'}
          </Text>
        </>
      )}
      {staff?.kind === 'locked' && (
        <Text color="red" bold wrap="truncate-end">
          {`✗ ${staff.text}`}
        </Text>
      )}
    </Box>
  );
}
