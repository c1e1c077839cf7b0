;; The byte pass of the file tools (line-scan.ts says how it is used; scripts/build-wasm.mjs compiles
;; this to line-scan-wasm.ts). One pass over a buffer of OffCirc.dat bytes: finds each line, tells
;; whether it passes every byte-level check of an OffCirc.dat line (so JavaScript only looks at the
;; lines that don't, with the messages of verify.ts), and computes its time as a number and the hash of
;; its transaction for the duplicate check. 16 bytes a step (SIMD) where it can.
;;
;; Memory (imported, one per reader): records at 0 (RECORD_INTS i32 each: start, end, flags, hash a,
;; hash b), the times at STAMPS (f64 each), the input from INPUT on, followed by at least 16 bytes of
;; slack (loads of 16 bytes may read past the end of a line; what they read there is masked off).
(module
  (import "env" "memory" (memory 1))
  (global $next (mut i32) (i32.const 0))
  (export "next" (global $next))
  (global $ha (mut i32) (i32.const 0))
  (global $hb (mut i32) (i32.const 0))

  ;; Layout (line-scan.ts has the same numbers).
  (global $STAMPS i32 (i32.const 81920)) ;; 4096 records of 20 bytes
  (global $INPUT i32 (i32.const 131072)) ;; after 4096 stamps of 8 bytes, 64 KiB aligned

  ;; Whether any of the 16 bytes of v is outside printable ASCII (0x20-0x7E): a bit for each.
  (func $nonPrintable (param $v v128) (result i32)
    (i8x16.bitmask
      (i8x16.ge_u (i8x16.sub (local.get $v) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))
        (v128.const i8x16 95 95 95 95 95 95 95 95 95 95 95 95 95 95 95 95))))

  (func $spaces (param $v v128) (result i32)
    (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))))

  ;; Bits of the bytes [p, end) of a 16-byte block at p (all 16 when the block ends before end).
  (func $within (param $p i32) (param $end i32) (result i32)
    (if (result i32) (i32.ge_s (i32.sub (local.get $end) (local.get $p)) (i32.const 16))
      (then (i32.const 0xffff))
      (else (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $end) (local.get $p))) (i32.const 1)))))

  ;; One 4-byte step of the transaction hash (Murmur3's body, two seeds and rotations).
  (func $mix (param $k i32)
    (local.set $k (i32.mul (local.get $k) (i32.const 0xcc9e2d51)))
    (local.set $k (i32.mul (i32.rotl (local.get $k) (i32.const 15)) (i32.const 0x1b873593)))
    (global.set $ha (i32.add (i32.mul (i32.rotl (i32.xor (global.get $ha) (local.get $k)) (i32.const 13)) (i32.const 5))
      (i32.const 0xe6546b64)))
    (global.set $hb (i32.add (i32.mul (i32.rotl (i32.xor (global.get $hb) (local.get $k)) (i32.const 17)) (i32.const 0x85ebca6b))
      (i32.const 0x7feb352d))))

  ;; Hashes the bytes [from, to): 4 a step, then a word holding the last bytes and the field's length.
  (func $field (param $from i32) (param $to i32)
    (local $i i32) (local $k i32) (local $j i32)
    (local.set $i (local.get $from))
    (block $done
      (loop $words
        (if (i32.gt_s (i32.add (local.get $i) (i32.const 4)) (local.get $to))
          (then
            (local.set $k (i32.shl (i32.sub (local.get $to) (local.get $from)) (i32.const 24)))
            (local.set $j (local.get $i))
            (block $tail
              (loop $bytes
                (br_if $tail (i32.ge_s (local.get $j) (local.get $to)))
                (local.set $k (i32.or (local.get $k)
                  (i32.shl (i32.load8_u (local.get $j)) (i32.shl (i32.sub (local.get $j) (local.get $i)) (i32.const 3)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $bytes)))
            (call $mix (local.get $k))
            (br $done)))
        (call $mix (i32.load (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $words))))

  ;; Murmur3's finalizer.
  (func $fmix (param $h i32) (result i32)
    (local.set $h (i32.mul (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))) (i32.const 0x85ebca6b)))
    (local.set $h (i32.mul (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))) (i32.const 0xc2b2ae35)))
    (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))

  ;; The record of the line [s, e) ending as `ending` (0 none, 1 LF, 2 CRLF) at record `n`. Flags: the
  ;; ending, CLEAN (4) when every byte-level check passes, LOAN (8) when the action is L.
  (func $line (export "line") (param $s i32) (param $e i32) (param $ending i32) (param $n i32)
    (local $len i32) (local $clean i32) (local $p i32) (local $lim i32) (local $m i32) (local $action i32)
    (local $itemEnd i32) (local $stamp f64) (local $i i32) (local $b i32) (local $rec i32) (local $end i32)
    (local.set $len (i32.sub (local.get $e) (local.get $s)))
    ;; A line of 93 to 1024 bytes (MAX_KEPT_LINE) with a line ending, all printable ASCII.
    (local.set $clean (i32.and (i32.ne (local.get $ending) (i32.const 0))
      (i32.and (i32.ge_s (local.get $len) (i32.const 93)) (i32.le_s (local.get $len) (i32.const 1024)))))
    (if (local.get $clean)
      (then
        (local.set $p (local.get $s))
        (block $bytesDone
          (loop $bytes
            (br_if $bytesDone (i32.ge_s (local.get $p) (local.get $e)))
            (if (i32.and (call $nonPrintable (v128.load (local.get $p))) (call $within (local.get $p) (local.get $e)))
              (then (local.set $clean (i32.const 0)) (br $bytesDone)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $bytes)))))
    ;; 12 digits.
    (if (local.get $clean)
      (then
        (if (i32.and (i32.const 0xfff)
              (i8x16.bitmask (i8x16.ge_u
                (i8x16.sub (v128.load (local.get $s)) (v128.const i8x16 48 48 48 48 48 48 48 48 48 48 48 48 48 48 48 48))
                (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))))
          (then (local.set $clean (i32.const 0))))))
    (local.set $action (if (result i32) (i32.gt_s (local.get $len) (i32.const 12))
      (then (i32.load8_u offset=12 (local.get $s))) (else (i32.const 0))))
    (if (i32.and (i32.ne (local.get $action) (i32.const 0x4c)) (i32.ne (local.get $action) (i32.const 0x52)))
      (then (local.set $clean (i32.const 0))))
    ;; The item barcode: from column 14 to its first space (or the field's end); none when column 14 is a space.
    (local.set $itemEnd (i32.const 13))
    (if (i32.and (i32.gt_s (local.get $len) (i32.const 13))
          (i32.ne (i32.load8_u offset=13 (local.get $s)) (i32.const 32)))
      (then
        (local.set $lim (i32.add (local.get $s)
          (select (local.get $len) (i32.const 93) (i32.lt_s (local.get $len) (i32.const 93)))))
        (local.set $itemEnd (i32.sub (local.get $lim) (local.get $s)))
        (local.set $p (i32.add (local.get $s) (i32.const 13)))
        (block $found
          (loop $blocks
            (br_if $found (i32.ge_s (local.get $p) (local.get $lim)))
            (local.set $m (i32.and (call $spaces (v128.load (local.get $p))) (call $within (local.get $p) (local.get $lim))))
            (if (local.get $m)
              (then
                (local.set $itemEnd (i32.sub (i32.add (local.get $p) (i32.ctz (local.get $m))) (local.get $s)))
                (br $found)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $blocks))))
      (else (local.set $clean (i32.const 0))))
    ;; The rest of the item field is spaces.
    (if (local.get $clean)
      (then
        (local.set $p (i32.add (local.get $s) (local.get $itemEnd)))
        (local.set $lim (i32.add (local.get $s) (i32.const 93)))
        (block $padDone
          (loop $pad
            (br_if $padDone (i32.ge_s (local.get $p) (local.get $lim)))
            (if (i32.and (i32.xor (call $spaces (v128.load (local.get $p))) (i32.const 0xffff))
                  (call $within (local.get $p) (local.get $lim)))
              (then (local.set $clean (i32.const 0)) (br $padDone)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $pad)))))
    ;; A loan: a patron ID without spaces after column 93; a return: nothing after it.
    (if (local.get $clean)
      (then
        (if (i32.eq (local.get $action) (i32.const 0x4c))
          (then
            (if (i32.eq (local.get $len) (i32.const 93)) (then (local.set $clean (i32.const 0))))
            (local.set $p (i32.add (local.get $s) (i32.const 93)))
            (block $patronDone
              (loop $patron
                (br_if $patronDone (i32.ge_s (local.get $p) (local.get $e)))
                (if (i32.and (call $spaces (v128.load (local.get $p))) (call $within (local.get $p) (local.get $e)))
                  (then (local.set $clean (i32.const 0)) (br $patronDone)))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $patron))))
          (else
            (if (i32.ne (local.get $len) (i32.const 93)) (then (local.set $clean (i32.const 0))))))))
    ;; The transaction's hash: action, item barcode, patron (from column 94 to the end), the patron's end.
    (global.set $ha (i32.xor (i32.const 0x811c9dc5) (local.get $action)))
    (global.set $hb (i32.xor (i32.const 0x9747b28c) (local.get $action)))
    (call $field (i32.add (local.get $s) (i32.const 13)) (i32.add (local.get $s) (local.get $itemEnd)))
    (local.set $end (select (local.get $len) (i32.const 93) (i32.gt_s (local.get $len) (i32.const 93))))
    (call $field (i32.add (local.get $s) (i32.const 93)) (i32.add (local.get $s) (local.get $end)))
    ;; The time as a number: its 12 bytes as digits (a byte past the line's end counts as 0).
    (local.set $i (i32.const 0))
    (block $timeDone
      (loop $time
        (br_if $timeDone (i32.ge_s (local.get $i) (i32.const 12)))
        (local.set $b (if (result i32) (i32.lt_s (local.get $i) (local.get $len))
          (then (i32.load8_u (i32.add (local.get $s) (local.get $i)))) (else (i32.const 48))))
        (local.set $stamp (f64.add (f64.mul (local.get $stamp) (f64.const 10))
          (f64.convert_i32_s (i32.sub (local.get $b) (i32.const 48)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $time)))
    (local.set $rec (i32.mul (local.get $n) (i32.const 20)))
    (i32.store (local.get $rec) (i32.sub (local.get $s) (global.get $INPUT)))
    (i32.store offset=4 (local.get $rec) (i32.sub (local.get $e) (global.get $INPUT)))
    (i32.store offset=8 (local.get $rec)
      (i32.or (local.get $ending)
        (i32.or (i32.shl (local.get $clean) (i32.const 2))
          (i32.shl (i32.eq (local.get $action) (i32.const 0x4c)) (i32.const 3)))))
    (i32.store offset=12 (local.get $rec) (call $fmix (global.get $ha)))
    (i32.store offset=16 (local.get $rec) (call $fmix (i32.xor (global.get $hb) (local.get $end))))
    (f64.store (i32.add (global.get $STAMPS) (i32.shl (local.get $n) (i32.const 3))) (local.get $stamp)))

  ;; Records the lines of the input bytes [from, to) (offsets from INPUT), at most `max`: each line
  ;; ended by LF, and when `eof` is set the bytes after the last LF as a last line without ending.
  ;; Returns how many lines; `next` is then the offset after the last one.
  (func (export "scan") (param $from i32) (param $to i32) (param $eof i32) (param $max i32) (result i32)
    (local $s i32) (local $n i32) (local $p i32) (local $m i32) (local $lf i32) (local $end i32)
    (local.set $s (i32.add (global.get $INPUT) (local.get $from)))
    (local.set $end (i32.add (global.get $INPUT) (local.get $to)))
    (block $stop
      (loop $lines
        (br_if $stop (i32.ge_s (local.get $n) (local.get $max)))
        (br_if $stop (i32.ge_s (local.get $s) (local.get $end)))
        (local.set $lf (i32.const -1))
        (local.set $p (local.get $s))
        (block $found
          (loop $blocks
            (br_if $found (i32.ge_s (local.get $p) (local.get $end)))
            (local.set $m (i32.and
              (i8x16.bitmask (i8x16.eq (v128.load (local.get $p))
                (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10)))
              (call $within (local.get $p) (local.get $end))))
            (if (local.get $m)
              (then (local.set $lf (i32.add (local.get $p) (i32.ctz (local.get $m)))) (br $found)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $blocks)))
        (if (i32.lt_s (local.get $lf) (i32.const 0))
          (then
            (br_if $stop (i32.eqz (local.get $eof)))
            (call $line (local.get $s) (local.get $end) (i32.const 0) (local.get $n))
            (local.set $s (local.get $end)))
          (else
            (if (i32.and (i32.gt_s (local.get $lf) (local.get $s))
                  (i32.eq (i32.load8_u (i32.sub (local.get $lf) (i32.const 1))) (i32.const 13)))
              (then (call $line (local.get $s) (i32.sub (local.get $lf) (i32.const 1)) (i32.const 2) (local.get $n)))
              (else (call $line (local.get $s) (local.get $lf) (i32.const 1) (local.get $n))))
            (local.set $s (i32.add (local.get $lf) (i32.const 1)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $lines)))
    (global.set $next (i32.sub (local.get $s) (global.get $INPUT)))
    (local.get $n))
)
