-- wrk script of scripts/bench-reads.sh: each request asks for a random line
-- of the paths file given after --. With "seq" after the file, each thread
-- walks its share of the lines once, in order, and stops (the warm-up pass
-- that reads every shop once).
local paths, seq, i, last = {}, false, 0, 0
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  seq = args[2] == "seq"
  math.randomseed(os.time() + (id or 0) * 7919)
  if seq then
    local n = math.ceil(#paths / 2)
    i = ((id or 1) - 1) * n
    last = math.min(#paths, i + n)
  end
end
function request()
  if seq then
    i = i + 1
    if i > last then i = last end
    return wrk.format("GET", paths[i])
  end
  return wrk.format("GET", paths[math.random(#paths)])
end
function response()
  if seq and i >= last then wrk.thread:stop() end
end
