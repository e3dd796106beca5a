-- wrk script: GET the paths listed in a file (one per line, e.g. /plugins/sources/p0001) in turn,
-- each thread starting at its own place in the list.
--   wrk -s bench/wrk/paths.lua http://localhost:9081 -- paths.txt
local paths = {}
local next_index = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("no paths in " .. tostring(args[1]))
  end
  -- wrk's threads each have their own Lua state; do not let them walk the list in step.
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  next_index = math.random(#paths) - 1
end

function request()
  next_index = next_index % #paths + 1
  return wrk.format("GET", paths[next_index])
end
