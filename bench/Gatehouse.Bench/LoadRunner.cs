using System.Diagnostics;

namespace Gatehouse.Bench;

/// <summary>What one workload measured.</summary>
/// <param name="ServerCores">The server's CPU time over the run's wall time (2.0 = both cores of a 2-core machine).</param>
/// <param name="LoadCores">The same for the load generator (this process).</param>
internal sealed record WorkloadResult(string Name, long Completed, long Errors, double Seconds, double P50Ms, double P99Ms, long PeakRssBytes, double ServerCores, double LoadCores)
{
    /// <summary>
    /// The server's password-hashing threads' CPU time over the measured time, as a share of all
    /// cores: how much of the machine went to hashing. Unlike a ratio to a limit measured at
    /// another moment, the VM's drifting speed slows both sides of it alike.
    /// </summary>
    public double HashingShare { get; init; }

    public bool Skipped { get; init; }

    public string PeakRssBreakdown { get; init; } = "";

    /// <summary>
    /// For a row bound by Argon2id: the limit beside its slices, weighted by each slice's time
    /// (<see cref="LoadRunner.RunBesideLimitAsync"/>), so the ratio compares the workload with the
    /// machine as it was then.
    /// </summary>
    public double? ArgonLimit { get; init; }

    public double Throughput => Seconds > 0 ? Completed / Seconds : 0;
}

/// <summary>
/// Runs one workload: <c>concurrency</c> virtual clients, each looping its step for a fixed time
/// and recording each step's latency. The server's resident memory is sampled meanwhile.
/// </summary>
internal static class LoadRunner
{
    /// <summary>
    /// Runs the workload for <paramref name="warmup"/> unmeasured (the JIT tiers hot code up
    /// meanwhile), then for <paramref name="duration"/> measured. Requests started in the
    /// warm-up are not counted; the peak RSS covers both.
    /// </summary>
    public static async Task<WorkloadResult> RunAsync(string name, int concurrency, TimeSpan warmup, TimeSpan duration, int serverPid, Func<int, Task<bool>> step)
    {
        using var sampler = new RssSampler(serverPid);
        var phase = await RunPhaseAsync(concurrency, warmup, duration, serverPid, step);
        return Result(name, [phase], sampler);
    }

    /// <summary>
    /// Runs the workload in <paramref name="slices"/> measured slices (the first after the
    /// warm-up), waiting for <paramref name="beforeSlice"/> before each slice after the first
    /// (the other server's turn). The result covers all slices; the peak RSS covers the pauses too.
    /// </summary>
    public static async Task<WorkloadResult> RunInSlicesAsync(string name, int concurrency, TimeSpan warmup, TimeSpan duration, int slices, int serverPid, Func<int, Task<bool>> step, Func<int, Task> beforeSlice)
    {
        using var sampler = new RssSampler(serverPid);
        var phases = new Phase[slices];
        for (var i = 0; i < slices; i++)
        {
            if (i > 0)
            {
                await beforeSlice(i);
            }
            phases[i] = await RunPhaseAsync(concurrency, i == 0 ? warmup : TimeSpan.Zero, duration / slices, serverPid, step);
        }
        return Result(name, phases, sampler);
    }

    /// <summary>
    /// For a workload bound by a limit that this process measures itself (Argon2id): a warm-up,
    /// then <paramref name="slices"/> measured slices of the workload, with the limit measured
    /// before, between and after them while the server is idle. Each slice is compared with the
    /// mean of the limits right before and right after it, so a machine whose speed drifts
    /// within the row (this VM's does, by a quarter within a minute) slows both sides of the
    /// ratio alike. Each slice ends by letting the requests in flight finish (they are counted,
    /// and the slice's time runs until the last one), so no slice's work spills into a limit.
    /// </summary>
    /// <returns>The result, with <see cref="WorkloadResult.ArgonLimit"/> set so that throughput / limit is the ratio over all slices.</returns>
    public static async Task<(WorkloadResult Result, double[] Limits)> RunBesideLimitAsync(string name, int concurrency, TimeSpan warmup, TimeSpan duration, int slices, int serverPid, Func<int, Task<bool>> step, Func<Task<double>> measureLimit)
    {
        using var sampler = new RssSampler(serverPid);
        await RunPhaseAsync(concurrency, warmup, TimeSpan.Zero, serverPid, step);
        var limits = new double[slices + 1];
        var phases = new Phase[slices];
        limits[0] = await measureLimit();
        for (var i = 0; i < slices; i++)
        {
            phases[i] = await RunPhaseAsync(concurrency, TimeSpan.Zero, duration / slices, serverPid, step);
            limits[i + 1] = await measureLimit();
        }
        // What the limit would have completed in each slice's time, summed over the slices.
        var atLimit = phases.Select((phase, i) => (limits[i] + limits[i + 1]) / 2 * phase.Seconds).Sum();
        var result = Result(name, phases, sampler);
        return (result with { ArgonLimit = atLimit / phases.Sum(phase => phase.Seconds) }, limits);
    }

    /// <summary>One stretch of the workload: what it measured after its warm-up, summed over the virtual clients.</summary>
    private sealed record Phase(long[] Latencies, long Errors, double Seconds, TimeSpan ServerCpu, TimeSpan LoadCpu, TimeSpan HashingCpu);

    private static async Task<Phase> RunPhaseAsync(int concurrency, TimeSpan warmup, TimeSpan duration, int serverPid, Func<int, Task<bool>> step)
    {
        var latencies = new List<long>[concurrency];
        var errors = new long[concurrency];
        var measureFrom = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var cpuAtStart = Task.Run(async () =>
        {
            await Task.Delay(warmup);
            return (Server: CpuTime.OfProcess(serverPid), Load: Process.GetCurrentProcess().TotalProcessorTime, Hashing: CpuTime.OfHashingThreads(serverPid), At: Stopwatch.GetTimestamp());
        });
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async vu =>
        {
            var mine = latencies[vu] = new List<long>(4096);
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var t0 = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    ok = await step(vu);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or System.Text.Json.JsonException or KeyNotFoundException or IOException or System.Net.Sockets.SocketException)
                {
                    ok = false;
                }
                if (t0 < measureFrom)
                {
                    continue;
                }
                if (ok)
                {
                    mine.Add(Stopwatch.GetTimestamp() - t0);
                }
                else
                {
                    errors[vu]++;
                }
            }
        }));
        var (serverCpu0, loadCpu0, hashingCpu0, started) = await cpuAtStart;
        return new Phase(latencies.SelectMany(l => l).ToArray(), errors.Sum(), (Stopwatch.GetTimestamp() - started) / (double)Stopwatch.Frequency,
            CpuTime.OfProcess(serverPid) - serverCpu0, Process.GetCurrentProcess().TotalProcessorTime - loadCpu0, CpuTime.OfHashingThreads(serverPid) - hashingCpu0);
    }

    private static WorkloadResult Result(string name, Phase[] phases, RssSampler sampler)
    {
        var seconds = phases.Sum(p => p.Seconds);
        double Cores(Func<Phase, TimeSpan> cpu) => phases.Sum(p => cpu(p).TotalSeconds) / seconds;
        var all = phases.SelectMany(p => p.Latencies).Order().ToArray();
        return new WorkloadResult(name, all.Length, phases.Sum(p => p.Errors), seconds, Percentile(all, 0.50), Percentile(all, 0.99), sampler.Peak, Cores(p => p.ServerCpu), Cores(p => p.LoadCpu))
        {
            PeakRssBreakdown = sampler.PeakBreakdown,
            HashingShare = Cores(p => p.HashingCpu) / Environment.ProcessorCount,
        };
    }

    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
}

/// <summary>Samples a process's resident set size (VmRSS) every 50 ms and keeps the peak.</summary>
internal sealed class RssSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _peak;

    public RssSampler(int pid)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var (rss, anon, file) = Read(pid);
                if (rss > _peak)
                {
                    _peak = rss;
                    PeakBreakdown = $"anonymous {anon / 1048576.0:0} MB, file-backed {file / 1048576.0:0} MB";
                }
                try
                {
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    public long Peak => _peak;

    /// <summary>What the peak was made of: anonymous memory (heaps, stacks) and mapped files (code).</summary>
    public string PeakBreakdown { get; private set; } = "";

    /// <summary>VmRSS, RssAnon and RssFile of a process, in bytes.</summary>
    public static (long Rss, long Anon, long File) Read(int pid)
    {
        long rss = 0, anon = 0, file = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line);
                }
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anon = Kilobytes(line);
                }
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                {
                    file = Kilobytes(line);
                }
            }
        }
        catch (IOException)
        {
        }
        return (rss, anon, file);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    public void Dispose()
    {
        _stop.Cancel();
        _loop.Wait();
        _stop.Dispose();
    }
}

/// <summary>A process's or some of its threads' CPU time (user + system) from /proc.</summary>
internal static class CpuTime
{
    public static TimeSpan OfProcess(int pid) => OfStat($"/proc/{pid}/stat");

    /// <summary>
    /// CPU time of Gatehouse's password-hashing threads (named "password hashing N"; Linux
    /// keeps the first 15 characters), zero for a server without them.
    /// </summary>
    public static TimeSpan OfHashingThreads(int pid)
    {
        var total = TimeSpan.Zero;
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith("password hash", StringComparison.Ordinal))
                    {
                        total += OfStat(Path.Combine(task, "stat"));
                    }
                }
                catch (IOException)
                {
                    // The thread ended meanwhile.
                }
            }
        }
        catch (IOException)
        {
        }
        return total;
    }

    private static TimeSpan OfStat(string path)
    {
        try
        {
            var stat = File.ReadAllText(path);
            // Fields after the command name (which may hold spaces) start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }
}
