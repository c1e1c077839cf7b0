;; The byte pass of the file tools (line-scan.ts says how it is used; scripts/build-wasm.mjs compiles
;; this to line-scan-wasm.ts). One pass over a buffer of OffCirc.dat bytes: finds each line, tells
;; whether it passes every byte-level check of an OffCirc.dat line (so JavaScript only looks at the
;; lines that don't, with the messages of verify.ts), and computes its time as a number and the hash of
;; its transaction for the duplicate check. 16 bytes a step (SIMD) where it can.
;;
;; Memory (imported, one per reader): records at 0 (RECORD_INTS i32 each: start, end, flags, the
;; transaction's 64-bit hash as two (low, high), date YYYYMMDD and minute of the day, both -1 unless
;; CLEAN), the times at STAMPS (f64 each), the input from INPUT on, followed by at least 128 bytes of
;; slack (loads of 16 or 8 bytes may read past the end of a line; what they read there is masked off).
(module
  (import "env" "memory" (memory 1))
  (global $next (mut i32) (i32.const 0))
  (export "next" (global $next))

  ;; Layout (line-scan.ts has the same numbers).
  (global $STAMPS i32 (i32.const 114688)) ;; 4096 records of 28 bytes
  (global $INPUT i32 (i32.const 196608)) ;; after 4096 stamps of 8 bytes, 64 KiB aligned

;; Bytes 16 at a time: a byte b is outside printable ASCII (0x20-0x7E) when b + 0x60, as a signed byte,
;; is over -34; it is not a digit when b + 0x50 is over -119; a bit of i8x16.bitmask for each byte.
  ;; The record of the line [s, e) ending as `ending` (0 none, 1 LF, 2 CRLF) at record `n`. Flags: the
  ;; ending, CLEAN (4) when every byte-level check passes, LOAN (8) when the action is L.
  (func $line (export "line") (param $s i32) (param $e i32) (param $ending i32) (param $n i32)
    (local $len i32) (local $clean i32) (local $p i32) (local $m i32) (local $action i32) (local $j i32)
    (local $itemEnd i32) (local $stamp i64) (local $i i32) (local $rec i32) (local $end i32) (local $bad v128)
    (local $date i32) (local $minute i32) (local $year i32) (local $monthDay i32) (local $hour i32)
    (local $min i32) (local $hash i64) (local $k i64) (local $from i32) (local $to i32)
    (local.set $len (i32.sub (local.get $e) (local.get $s)))
    ;; A line of 93 to 1024 bytes (MAX_KEPT_LINE) with a line ending, all printable ASCII (whole blocks,
    ;; then the line's last 16 bytes).
    (local.set $clean (i32.and (i32.ne (local.get $ending) (i32.const 0))
      (i32.and (i32.ge_s (local.get $len) (i32.const 93)) (i32.le_s (local.get $len) (i32.const 1024)))))
    (if (local.get $clean)
      (then
        (local.set $p (local.get $s))
        (block $bytesDone
          (loop $bytes
            (br_if $bytesDone (i32.gt_s (i32.add (local.get $p) (i32.const 16)) (local.get $e)))
            (local.set $bad (v128.or (local.get $bad)
              (i8x16.gt_s (i8x16.add (v128.load (local.get $p)) (v128.const i8x16 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60))
                (v128.const i8x16 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br $bytes)))
        (local.set $bad (v128.or (local.get $bad)
          (i8x16.gt_s (i8x16.add (v128.load (i32.sub (local.get $e) (i32.const 16))) (v128.const i8x16 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60 0x60))
            (v128.const i8x16 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34 -34))))
        (if (v128.any_true (local.get $bad)) (then (local.set $clean (i32.const 0))))
        ;; 12 digits.
        (if (i32.and (i32.const 0xfff)
              (i8x16.bitmask (i8x16.gt_s
                (i8x16.add (v128.load (local.get $s)) (v128.const i8x16 0x50 0x50 0x50 0x50 0x50 0x50 0x50 0x50 0x50 0x50 0x50 0x50 0x50 0x50 0x50 0x50))
                (v128.const i8x16 -119 -119 -119 -119 -119 -119 -119 -119 -119 -119 -119 -119 -119 -119 -119 -119))))
          (then (local.set $clean (i32.const 0))))))
    (local.set $action (if (result i32) (i32.gt_s (local.get $len) (i32.const 12))
      (then (i32.load8_u offset=12 (local.get $s))) (else (i32.const 0))))
    (if (i32.and (i32.ne (local.get $action) (i32.const 0x4c)) (i32.ne (local.get $action) (i32.const 0x52)))
      (then (local.set $clean (i32.const 0))))
    ;; The item barcode: from column 14 to its first space in the field (or the line's end); none when
    ;; column 14 is a space. The 80 bytes of the field are read whatever the line's length (a space
    ;; found past its end is then clamped to it).
    (local.set $itemEnd (i32.const 13))
    (if (i32.and (i32.gt_s (local.get $len) (i32.const 13))
          (i32.ne (i32.load8_u offset=13 (local.get $s)) (i32.const 32)))
      (then
        (local.set $itemEnd (i32.const 93))
        (local.set $j (i32.const 13))
        (block $found
          (loop $blocks
            (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (i32.add (local.get $s) (local.get $j)))
              (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))))
            (if (local.get $m)
              (then
                (local.set $itemEnd (i32.add (local.get $j) (i32.ctz (local.get $m))))
                (br $found)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br_if $blocks (i32.lt_s (local.get $j) (i32.const 93)))))
        (if (i32.gt_s (local.get $itemEnd) (local.get $len)) (then (local.set $itemEnd (local.get $len)))))
      (else (local.set $clean (i32.const 0))))
    ;; The rest of the item field is spaces: its last byte that is not a space is before the first space.
    (if (local.get $clean)
      (then
        (local.set $j (i32.const 77))
        (block $lastFound
          (loop $back
            (local.set $m (i32.xor (i32.const 0xffff) (i8x16.bitmask (i8x16.eq (v128.load (i32.add (local.get $s) (local.get $j)))
              (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))))
            (if (local.get $m)
              (then
                (if (i32.ge_s (i32.sub (i32.add (local.get $j) (i32.const 31)) (i32.clz (local.get $m))) (local.get $itemEnd))
                  (then (local.set $clean (i32.const 0))))
                (br $lastFound)))
            (local.set $j (i32.sub (local.get $j) (i32.const 16)))
            (br_if $back (i32.ge_s (local.get $j) (i32.const 13)))))))
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
                (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $p))
                  (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))))
                (if (i32.lt_s (i32.sub (local.get $e) (local.get $p)) (i32.const 16))
                  (then (local.set $m (i32.and (local.get $m)
                    (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $e) (local.get $p))) (i32.const 1))))))
                (if (local.get $m) (then (local.set $clean (i32.const 0)) (br $patronDone)))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $patron))))
          (else
            (if (i32.ne (local.get $len) (i32.const 93)) (then (local.set $clean (i32.const 0))))))))
    ;; The transaction's hash: action, item barcode, patron (from column 94 to the end).
    (local.set $end (select (local.get $len) (i32.const 93) (i32.gt_s (local.get $len) (i32.const 93))))
    ;; Murmur3 x64's step and finalizer, one 64-bit lane, over the action, then the item barcode and
    ;; the patron ID, each as its length (so two fields can't run into each other) and then its bytes 8
    ;; at a time, the last 0-7 in one load masked to them (the bytes after a line are readable: the
    ;; slack). Written inline, one step for all: V8 does not inline calls between WebAssembly functions
    ;; (the whole pass over 10M lines: two 32-bit lanes before, 415 ms; this hash with the field, the
    ;; step and the finalizer as functions, 360; inline, 285).
    (local.set $hash (i64.extend_i32_u (local.get $action)))
    (local.set $from (i32.add (local.get $s) (i32.const 13)))
    (local.set $to (i32.add (local.get $s) (local.get $itemEnd)))
    (loop $fields
      (local.set $k (i64.extend_i32_u (i32.sub (local.get $to) (local.get $from))))
      (local.set $p (local.get $from))
      (loop $words
        (local.set $k (i64.mul (i64.rotl (i64.mul (local.get $k) (i64.const 0x87c37b91114253d5)) (i64.const 31))
          (i64.const 0x4cf5ad432745937f)))
        (local.set $hash (i64.add (i64.mul (i64.rotl (i64.xor (local.get $hash) (local.get $k)) (i64.const 27)) (i64.const 5))
          (i64.const 0x52dce729)))
        (local.set $j (i32.sub (local.get $to) (local.get $p)))
        (if (i32.gt_s (local.get $j) (i32.const 0))
          (then
            (local.set $k (i64.and (i64.load (local.get $p))
              (select (i64.const -1)
                (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (local.get $j) (i32.const 3)))) (i64.const 1))
                (i32.ge_s (local.get $j) (i32.const 8)))))
            (local.set $p (i32.add (local.get $p) (i32.const 8)))
            (br $words))))
      (if (i32.lt_s (local.get $from) (i32.add (local.get $s) (i32.const 93)))
        (then
          (local.set $from (i32.add (local.get $s) (i32.const 93)))
          (local.set $to (i32.add (local.get $s) (local.get $end)))
          (br $fields))))
    ;; Murmur3 x64's finalizer.
    (local.set $hash (i64.mul (i64.xor (local.get $hash) (i64.shr_u (local.get $hash) (i64.const 33))) (i64.const 0xff51afd7ed558ccd)))
    (local.set $hash (i64.mul (i64.xor (local.get $hash) (i64.shr_u (local.get $hash) (i64.const 33))) (i64.const 0xc4ceb9fe1a85ec53)))
    (local.set $hash (i64.xor (local.get $hash) (i64.shr_u (local.get $hash) (i64.const 33))))
    ;; The time as a number: its 12 bytes as digits (a byte past the line's end counts as 0); exact in
    ;; integers, as the same sum in doubles is (it stays far under 2^53). A line of 12 bytes or more
    ;; sums its year, month and day, hour and minute side by side (the same sum, grouped); a shorter
    ;; one byte by byte. Written out digit by digit: a helper for two digits, called six times a line,
    ;; took the whole gain back (V8 does not inline it; verify of 10M lines 1.13 s against 1.06).
    (local.set $date (i32.const -1))
    (local.set $minute (i32.const -1))
    (if (i32.ge_s (local.get $len) (i32.const 12))
      (then
        (local.set $year (i32.add
          (i32.add (i32.mul (i32.sub (i32.load8_u (local.get $s)) (i32.const 48)) (i32.const 1000))
            (i32.mul (i32.sub (i32.load8_u offset=1 (local.get $s)) (i32.const 48)) (i32.const 100)))
          (i32.add (i32.mul (i32.sub (i32.load8_u offset=2 (local.get $s)) (i32.const 48)) (i32.const 10))
            (i32.sub (i32.load8_u offset=3 (local.get $s)) (i32.const 48)))))
        (local.set $monthDay (i32.add
          (i32.add (i32.mul (i32.sub (i32.load8_u offset=4 (local.get $s)) (i32.const 48)) (i32.const 1000))
            (i32.mul (i32.sub (i32.load8_u offset=5 (local.get $s)) (i32.const 48)) (i32.const 100)))
          (i32.add (i32.mul (i32.sub (i32.load8_u offset=6 (local.get $s)) (i32.const 48)) (i32.const 10))
            (i32.sub (i32.load8_u offset=7 (local.get $s)) (i32.const 48)))))
        (local.set $hour (i32.add (i32.mul (i32.sub (i32.load8_u offset=8 (local.get $s)) (i32.const 48)) (i32.const 10))
          (i32.sub (i32.load8_u offset=9 (local.get $s)) (i32.const 48))))
        (local.set $min (i32.add (i32.mul (i32.sub (i32.load8_u offset=10 (local.get $s)) (i32.const 48)) (i32.const 10))
          (i32.sub (i32.load8_u offset=11 (local.get $s)) (i32.const 48))))
        (local.set $stamp (i64.add
          (i64.add (i64.mul (i64.extend_i32_s (local.get $year)) (i64.const 100000000))
            (i64.mul (i64.extend_i32_s (local.get $monthDay)) (i64.const 10000)))
          (i64.extend_i32_s (i32.add (i32.mul (local.get $hour) (i32.const 100)) (local.get $min)))))
        ;; A CLEAN line's date (YYYYMMDD) and minute of the day (-1 when the hour or minute is
        ;; impossible): what verify's time check starts from. Its 12 bytes are digits.
        (if (local.get $clean)
          (then
            (local.set $date (i32.add (i32.mul (local.get $year) (i32.const 10000)) (local.get $monthDay)))
            (if (i32.and (i32.le_u (local.get $hour) (i32.const 23)) (i32.le_u (local.get $min) (i32.const 59)))
              (then (local.set $minute (i32.add (i32.mul (local.get $hour) (i32.const 60)) (local.get $min))))))))
      (else
        (block $timeDone
          (loop $time
            (br_if $timeDone (i32.ge_s (local.get $i) (i32.const 12)))
            (local.set $stamp (i64.add (i64.mul (local.get $stamp) (i64.const 10))
              (i64.extend_i32_s (i32.sub
                (if (result i32) (i32.lt_s (local.get $i) (local.get $len))
                  (then (i32.load8_u (i32.add (local.get $s) (local.get $i)))) (else (i32.const 48)))
                (i32.const 48)))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $time)))))
    (local.set $rec (i32.mul (local.get $n) (i32.const 28)))
    (i32.store offset=20 (local.get $rec) (local.get $date))
    (i32.store offset=24 (local.get $rec) (local.get $minute))
    (i32.store (local.get $rec) (i32.sub (local.get $s) (global.get $INPUT)))
    (i32.store offset=4 (local.get $rec) (i32.sub (local.get $e) (global.get $INPUT)))
    (i32.store offset=8 (local.get $rec)
      (i32.or (local.get $ending)
        (i32.or (i32.shl (local.get $clean) (i32.const 2))
          (i32.shl (i32.eq (local.get $action) (i32.const 0x4c)) (i32.const 3)))))
    (i64.store offset=12 (local.get $rec) (local.get $hash))
    (f64.store (i32.add (global.get $STAMPS) (i32.shl (local.get $n) (i32.const 3)))
      (f64.convert_i64_s (local.get $stamp))))

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
        ;; The first LF from s (one past the bytes read: none).
        (local.set $lf (local.get $end))
        (local.set $p (local.get $s))
        (block $found
          (loop $blocks
            (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $p))
              (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))))
            (if (local.get $m)
              (then (local.set $lf (i32.add (local.get $p) (i32.ctz (local.get $m)))) (br $found)))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (br_if $blocks (i32.lt_s (local.get $p) (local.get $end)))))
        (if (i32.ge_s (local.get $lf) (local.get $end))
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
