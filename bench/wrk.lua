-- Drives one endpoint for `make bench` (bench/run.py). It sends, in turn, the
-- raw requests that run.py wrote to the file named after `--` (cookies and
-- CSRF token included), and counts every answer that is not 2xx. run.py uses
-- one thread, so each request in the file goes out once per pass.
local requests, position = {}, 0
bad, first_bad, passes = 0, 0, 0
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   requests = dofile(args[1])
end

function request()
   if position == #requests then
      position = 0
      passes = passes + 1
   end
   position = position + 1
   return requests[position]
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      bad = bad + 1
      if first_bad == 0 then
         first_bad = status
      end
   end
end

function done(summary, latency, _)
   local total_bad, status, repeats = 0, 0, 0
   for _, thread in ipairs(threads) do
      total_bad = total_bad + thread:get("bad")
      repeats = repeats + thread:get("passes")
      if status == 0 then
         status = thread:get("first_bad")
      end
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, '
         .. '"non_2xx": %d, "first_bad_status": %d, "socket_errors": %d, "repeats": %d, "bytes": %d}\n',
      summary.requests,
      summary.duration / 1e6,
      latency:percentile(50) / 1000,
      latency:percentile(95) / 1000,
      total_bad,
      status,
      errors.connect + errors.read + errors.write + errors.timeout,
      repeats,
      summary.bytes
   ))
end
