using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gatehouse.Bench;

// Gatehouse's benchmark: starts Gatehouse (Release, SQLite) and a minimal ASP.NET Core Identity
// peer as separate processes, drives the same workloads against both over loopback, measures
// the machine's limits (Argon2id, ES256) in the same run, and prints a table (see
// docs/benchmarks.md). `--smoke` runs every workload for a moment and only checks that none
// fails: CI runs that; timings are never asserted.

var smoke = args.Contains("--smoke");
var duration = TimeSpan.FromSeconds(smoke ? 1.5 : double.Parse(Arg("--duration") ?? "10", CultureInfo.InvariantCulture));
var warmup = TimeSpan.FromSeconds(smoke ? 0 : double.Parse(Arg("--warmup") ?? "5", CultureInfo.InvariantCulture));
var concurrency = int.Parse(Arg("--concurrency") ?? (smoke ? "4" : "32"), CultureInfo.InvariantCulture);
var output = Arg("--output");
// --only a,b: run just the workloads whose names contain one of these words (for profiling);
// --no-peer: skip the peer. Neither is used for the published table.
var only = Arg("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
var noPeer = args.Contains("--no-peer");
// --server-env KEY=VALUE (repeatable): an extra environment variable for Gatehouse's process, to
// try a runtime setting without rebuilding (for profiling; not used for the published table).
var serverEnvironment = args.Select((a, i) => a == "--server-env" && i + 1 < args.Length ? args[i + 1] : null)
    .OfType<string>()
    .Select(kv => kv.Split('=', 2) is [var key, var value] ? (Key: key, Value: value) : throw new ArgumentException($"--server-env expects KEY=VALUE, not '{kv}'."))
    .ToList();
var root = FindRoot();
var configuration = Arg("--configuration") ?? "Release";
// --gatehouse PATH: the server to run, a .dll (on the shared runtime) or a native executable.
var gatehouseServer = Path.GetFullPath(Arg("--gatehouse") ?? Path.Combine(root, "src/Gatehouse.Server/bin", configuration, "net10.0/Gatehouse.dll"), root);
var peerDll = Path.GetFullPath(Arg("--peer-dll") ?? Path.Combine(root, "bench/peers/IdentityPeer/bin", configuration, "net10.0/IdentityPeer.dll"), root);
const string Password = "Bench-Passw0rd! long enough";
// A hashing row's measured time is cut into this many slices, with the limit measured for
// limitProbe before, between and after them.
const int LimitSlices = 5;
var limitProbe = TimeSpan.FromSeconds(1.5);
const string ArcSecret = "bench-client-secret-0123456789abcdef";

Console.WriteLine($"Gatehouse benchmark: {(smoke ? "smoke run" : "full run")}, {concurrency} virtual clients, {warmup.TotalSeconds:0.#} s warm-up + {duration.TotalSeconds:0.#} s measured per workload, {Environment.ProcessorCount} cores");

Console.WriteLine("measuring the machine's limits ...");
var argonLimit = await Limits.Argon2idPerSecondAsync(smoke ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(5));
var es256Limit = await Limits.Es256VerificationsPerSecondAsync(smoke ? TimeSpan.FromSeconds(0.5) : TimeSpan.FromSeconds(5));
Console.WriteLine($"  Argon2id (m=19 MiB, t=2, p=1): {argonLimit:0.0}/s on all cores; ES256 verify: {es256Limit:0}/s");

// Gatehouse is server 0, the peer server 1; they take turns workload by workload (Turns).
int[] servers = noPeer ? [0] : [0, 1];
// The rows compared with the peer alone (refresh, read, floor) run in TurnSlices slices, the two
// servers alternating slice by slice, so that a drift of the VM's speed within a row slows both
// servers alike instead of the one whose turn it happened in.
const int TurnSlices = 4;
string[] slicedSteps = ["refresh", "read", "floor"];
var turns = new Turns(new[] { ("start", servers), ("registration", servers), ("sign-in", servers), ("arc", new[] { 0 }) }
    .Concat(slicedSteps.SelectMany(step => Enumerable.Range(1, TurnSlices).Select(i => (SliceStep(step, i), servers)))));
var gatehouseRun = RunGatehouseAsync();
var peerRun = noPeer ? Task.FromResult<(List<WorkloadResult> Results, TimeSpan ColdStart)>(([], TimeSpan.Zero)) : RunPeerAsync();
var gatehouse = await gatehouseRun;
var peer = await peerRun;

var table = Render(gatehouse, peer, argonLimit, es256Limit);
Console.WriteLine();
Console.WriteLine(table);

var failed = gatehouse.Results.Concat(peer.Results).Where(r => !r.Skipped && (r.Errors > 0 || r.Completed == 0)).ToList();
if (output is not null && !smoke && only is null && !noPeer)
{
    await File.WriteAllTextAsync(output, Document(table, root));
    Console.WriteLine($"wrote {output}");
}
if (failed.Count > 0)
{
    Console.Error.WriteLine("workloads with errors or nothing completed: " + string.Join(", ", failed.Select(f => $"{f.Name} ({f.Errors} errors, {f.Completed} done)")));
    return 1;
}
Console.WriteLine(smoke ? "smoke run: every workload completed without errors" : "done");
return 0;

Task<(List<WorkloadResult> Results, TimeSpan ColdStart)> RunGatehouseAsync() => RunTargetAsync(
    new Target("Gatehouse (SQLite, fresh data directory)", gatehouseServer, "/health/ready",
        "/api/v1/account/register", HttpStatusCode.Created, email => new { email, password = Password },
        "/api/v1/account/sign-in", email => new { login = email, password = Password },
        "/api/v1/account/refresh", "/api/v1/account/me", "/health/live",
        ["registration", "password sign-in (native)", "refresh with rotation", "authenticated read (/me)", "HTTP floor (liveness probe)"],
        HashesWithArgon2id: true, Server: 0),
    data => WithServerEnvironment(new Dictionary<string, string>
    {
        ["Gatehouse__DataDirectory"] = data,
        ["Gatehouse__RateLimits__SignInPerMinute"] = "100000000",
        ["Gatehouse__RateLimits__RegistrationPerMinute"] = "100000000",
        ["Gatehouse__RateLimits__EmailPerMinute"] = "100000000",
        ["Logging__LogLevel__Default"] = "Warning",
    }),
    ArcSignInAsync);

// --server-env settings override the defaults above.
Dictionary<string, string> WithServerEnvironment(Dictionary<string, string> environment)
{
    foreach (var (key, value) in serverEnvironment)
    {
        environment[key] = value;
    }
    return environment;
}

// Dialect arc's /auth/login-token: a client made with the admin command, every benchmark user
// allowed on it through the admin API.
async Task<WorkloadResult> ArcSignInAsync(HttpClient http, LeanHttpConnection[] lean, int pid, string[] users, string[] userIds, string data)
{
    await turns.NextAsync(0, "arc");
    await RunCommandAsync(gatehouseServer, data, "create-admin", "--email", "admin@bench.test", "--password", Password);
    await RunCommandAsync(gatehouseServer, data, "create-client", "--client-id", "bench", "--secret", ArcSecret);
    var signIn = await http.PostAsJsonAsync("/api/v1/account/sign-in", new { login = "admin@bench.test", password = Password });
    var adminToken = (await signIn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
    foreach (var id in userIds)
    {
        using var allow = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/admin/users/{id}/clients/bench");
        allow.Headers.Authorization = new("Bearer", adminToken);
        (await http.SendAsync(allow)).EnsureSuccessStatusCode();
    }
    var requests = Enumerable.Range(0, users.Length).Select(vu => lean[vu].Build("POST", "/auth/login-token", json: JsonSerializer.Serialize(new { client_id = "bench", client_secret = ArcSecret, username = users[vu], password = Password }))).ToArray();
    return await Run("password sign-in (arc /auth/login-token)", pid, async vu => (await lean[vu].SendAsync(requests[vu])).Status is >= 200 and < 300, argonBound: true);
}

/// An admin command of the server (create-admin, create-client); a failure stops the run.
static async Task RunCommandAsync(string server, string data, params string[] arguments)
{
    var info = ServerProcess.StartInfo(server);
    foreach (var argument in arguments)
    {
        info.ArgumentList.Add(argument);
    }
    info.Environment["Gatehouse__DataDirectory"] = data;
    info.Environment["Logging__LogLevel__Default"] = "Warning";
    using var process = System.Diagnostics.Process.Start(info)!;
    var output = process.StandardOutput.ReadToEndAsync();
    var errors = await process.StandardError.ReadToEndAsync();
    await output;
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"`{arguments[0]}` exited with code {process.ExitCode}: {errors.Trim()}");
    }
}

Task<(List<WorkloadResult> Results, TimeSpan ColdStart)> RunPeerAsync() => RunTargetAsync(
    new Target("the ASP.NET Core Identity peer (MapIdentityApi, SQLite)", peerDll, "/health",
        "/register", HttpStatusCode.OK, email => new { email, password = Password },
        "/login", email => new { email, password = Password },
        "/refresh", "/manage/info", "/health",
        ["registration", "password sign-in (/login)", "refresh (/refresh)", "token-only read (/manage/info)", "HTTP floor (/health)"],
        HashesWithArgon2id: false, Server: 1),
    data => new Dictionary<string, string> { ["DataDirectory"] = data },
    null);

// The same four workloads against either server: registration, password sign-in, refresh with
// each client following its own token chain, and an authenticated read.
async Task<(List<WorkloadResult> Results, TimeSpan ColdStart)> RunTargetAsync(Target target, Func<string, Dictionary<string, string>> environment,
    Func<HttpClient, LeanHttpConnection[], int, string[], string[], string, Task<WorkloadResult>>? extraSignIn)
{
    var data = Directory.CreateTempSubdirectory("gatehouse-bench-").FullName;
    try
    {
        await turns.NextAsync(target.Server, "start");
        Console.WriteLine($"starting {target.Description} ...");
        await using var server = await ServerProcess.StartAsync(target.Dll, target.ReadyPath, environment(data));
        var (idleRss, idleAnon, idleFile) = RssSampler.Read(server.Pid);
        Console.WriteLine($"  ready in {server.StartedIn.TotalMilliseconds:0} ms (pid {server.Pid}); RSS {idleRss / 1048576.0:0} MB (anonymous {idleAnon / 1048576.0:0} MB, file-backed {idleFile / 1048576.0:0} MB)");
        using var http = Client(server.BaseAddress, concurrency);
        // Setup goes through HttpClient; the measured steps through one lean connection per client.
        var lean = Enumerable.Range(0, concurrency).Select(_ => new LeanHttpConnection(server.BaseAddress)).ToArray();
        var results = new List<WorkloadResult>();
        var users = new string[concurrency];
        var userIds = new string[concurrency];
        var access = new string[concurrency];
        var refresh = new string[concurrency];
        var counter = 0;

        async Task<JsonElement> SignInAsync(int vu)
        {
            using var response = await http.PostAsJsonAsync(target.SignInPath, target.SignInBody(users[vu]));
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        await turns.NextAsync(target.Server, "registration");
        results.Add(await Run(target.Names[0], server.Pid, async vu =>
        {
            var request = lean[vu].Build("POST", target.RegisterPath, json: JsonSerializer.Serialize(target.RegisterBody($"r{Interlocked.Increment(ref counter)}.{vu}@bench.test")));
            return (await lean[vu].SendAsync(request)).Status == (int)target.RegisteredStatus;
        }, argonBound: target.HashesWithArgon2id));

        for (var i = 0; i < concurrency; i++)
        {
            users[i] = $"user{i}@bench.test";
            using var registered = await http.PostAsJsonAsync(target.RegisterPath, target.RegisterBody(users[i]));
            registered.EnsureSuccessStatusCode();
            var body = await registered.Content.ReadAsStringAsync();
            userIds[i] = body.Length > 0 && JsonDocument.Parse(body).RootElement.TryGetProperty("id", out var id) ? id.GetString()! : "";
        }

        await turns.NextAsync(target.Server, "sign-in");
        var signIns = Enumerable.Range(0, concurrency).Select(vu => lean[vu].Build("POST", target.SignInPath, json: JsonSerializer.Serialize(target.SignInBody(users[vu])))).ToArray();
        results.Add(await Run(target.Names[1], server.Pid, async vu => (await lean[vu].SendAsync(signIns[vu])).Status == 200, argonBound: target.HashesWithArgon2id));
        if (extraSignIn is not null)
        {
            results.Add(await extraSignIn(http, lean, server.Pid, users, userIds, data));
        }

        await turns.NextAsync(target.Server, SliceStep("refresh", 1));
        results.Add(await Run(target.Names[2], server.Pid, async vu =>
        {
            var (status, body) = await lean[vu].SendAsync(lean[vu].Build("POST", target.RefreshPath, json: JsonSerializer.Serialize(new { refreshToken = refresh[vu] })));
            if (status != 200)
            {
                return false;
            }
            using var document = JsonDocument.Parse(body);
            refresh[vu] = document.RootElement.GetProperty("refreshToken").GetString()!;
            return true;
        }, async vu => refresh[vu] = (await SignInAsync(vu)).GetProperty("refreshToken").GetString()!, sliced: (target.Server, "refresh")));

        await turns.NextAsync(target.Server, SliceStep("read", 1));
        var reads = new byte[concurrency][];
        results.Add(await Run(target.Names[3], server.Pid, async vu => (await lean[vu].SendAsync(reads[vu])).Status == 200, async vu =>
        {
            access[vu] = (await SignInAsync(vu)).GetProperty("accessToken").GetString()!;
            reads[vu] = lean[vu].Build("GET", target.ReadPath, bearer: access[vu]);
        }, sliced: (target.Server, "read")));

        // Not a target: what an empty endpoint costs over loopback on this machine, the ceiling
        // every other row sits under.
        await turns.NextAsync(target.Server, SliceStep("floor", 1));
        var probes = Enumerable.Range(0, concurrency).Select(vu => lean[vu].Build("GET", target.LivePath)).ToArray();
        results.Add(await Run(target.Names[4], server.Pid, async vu => (await lean[vu].SendAsync(probes[vu])).Status == 200, sliced: (target.Server, "floor")));
        foreach (var connection in lean)
        {
            connection.Dispose();
        }
        return (results, server.StartedIn);
    }
    finally
    {
        // Ends the last turn once the server has stopped (the other server never waits for a
        // failed one).
        turns.Finish(target.Server);
        Directory.Delete(data, recursive: true);
    }
}

// argonBound: the row runs in slices with the Argon2id limit measured before, between and after
// them (LoadRunner.RunBesideLimitAsync), and is compared with the limit beside each slice. The
// VM's speed drifts, at times by a quarter within a minute: a limit measured at the start of the
// run, or even right before and after a 10-second row, compares the workload with a different
// machine.
// sliced: the row runs in TurnSlices slices, each in its own turn of the step (the caller holds
// the first).
async Task<WorkloadResult> Run(string name, int pid, Func<int, Task<bool>> step, Func<int, Task>? prepare = null, bool argonBound = false, (int Server, string Step)? sliced = null)
{
    Task NextSlice(int i) => turns.NextAsync(sliced!.Value.Server, SliceStep(sliced.Value.Step, i + 1));
    if (only is not null && !only.Any(o => name.Contains(o, StringComparison.OrdinalIgnoreCase)))
    {
        // Its turns are still taken, so the other server's are not held up.
        for (var i = 1; sliced is not null && i < TurnSlices; i++)
        {
            await NextSlice(i);
        }
        return new WorkloadResult(name, 0, 0, 0, 0, 0, 0, 0, 0) { Skipped = true };
    }
    // A sliced row prints its line at the end, so the two servers' lines do not interleave.
    var line = $"  {name}{(sliced is null ? "" : $" ({TurnSlices} slices, alternating with the other server)")} ... ";
    if (sliced is null)
    {
        Console.Write(line);
        line = "";
    }
    if (prepare is not null)
    {
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(prepare));
        // The setup signs every client in, and Gatehouse's hashing threads keep their Argon2
        // memory for a second after their last hash (HashingThreads.IdleRelease): without this
        // pause, the refresh and read rows' peak RSS was the setup's (two 19 MiB blocks), not
        // their own. The sign-in rows keep the blocks in their peak, as they should.
        if (!smoke)
        {
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }
    }
    WorkloadResult result;
    if (argonBound && !smoke)
    {
        (result, var limits) = await LoadRunner.RunBesideLimitAsync(name, concurrency, warmup, duration, LimitSlices, pid, step,
            () => Limits.Argon2idPerSecondAsync(limitProbe));
        Console.Write($"(Argon2id limit beside its {LimitSlices} slices: {limits.Min():0.0}–{limits.Max():0.0}/s; hashing used {result.HashingShare:P0} of the cores) ");
    }
    else if (sliced is not null)
    {
        result = await LoadRunner.RunInSlicesAsync(name, concurrency, warmup, duration, TurnSlices, pid, step, NextSlice);
    }
    else
    {
        result = await LoadRunner.RunAsync(name, concurrency, warmup, duration, pid, step);
    }
    Console.WriteLine($"{line}{result.Throughput:0}/s, p50 {result.P50Ms:0.0} ms, p99 {result.P99Ms:0.0} ms, {result.Errors} errors, CPU: server {result.ServerCores:0.00} cores, load {result.LoadCores:0.00} cores, peak RSS {result.PeakRssBytes / 1048576.0:0} MB ({result.PeakRssBreakdown})");
    return result;
}

static string SliceStep(string step, int slice) => slice == 1 ? step : $"{step} {slice}";

static string Render((List<WorkloadResult> Results, TimeSpan ColdStart) gatehouse, (List<WorkloadResult> Results, TimeSpan ColdStart) peer, double argonLimit, double es256Limit)
{
    var sb = new StringBuilder();
    sb.AppendLine("| workload | Gatehouse /s | p50 ms | p99 ms | errors | peak RSS MB | CPU cores server / load | vs limit | peer /s | peer p99 ms | peer peak RSS MB | Gatehouse / peer |");
    sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    var peerIndex = 0;
    var floor = gatehouse.Results.FirstOrDefault(r => r.Name.StartsWith("HTTP floor", StringComparison.Ordinal) && !r.Skipped);
    for (var i = 0; i < gatehouse.Results.Count; i++)
    {
        var g = gatehouse.Results[i];
        // The arc row has no peer counterpart; the peer's /login row sits beside the native one.
        var p = g.Name.Contains("arc", StringComparison.Ordinal) ? null : peerIndex < peer.Results.Count ? peer.Results[peerIndex++] : null;
        if (g.Skipped)
        {
            continue;
        }
        p = p is { Skipped: true } ? null : p;
        var limit = g.Name.StartsWith("password sign-in", StringComparison.Ordinal) || g.Name == "registration"
            ? $"{g.Throughput / (g.ArgonLimit ?? argonLimit):P0} of Argon2id; hashing {g.HashingShare:P0} of the cores"
            : g.Name.StartsWith("authenticated read", StringComparison.Ordinal) && floor is { Throughput: > 0 } ? $"{g.Throughput / floor.Throughput:P0} of the HTTP floor" : "";
        sb.AppendLine(CultureInfo.InvariantCulture, $"| {g.Name} | {g.Throughput:0} | {g.P50Ms:0.0} | {g.P99Ms:0.0} | {g.Errors} | {g.PeakRssBytes / 1048576.0:0} | {g.ServerCores:0.00} / {g.LoadCores:0.00} | {limit} | {p?.Throughput:0} | {p?.P99Ms:0.0} | {(p is null ? "" : (p.PeakRssBytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture))} | {(p is { Throughput: > 0 } ? $"{g.Throughput / p.Throughput:0.00}×" : "")} |");
    }
    sb.AppendLine(CultureInfo.InvariantCulture, $"| cold start to ready | {gatehouse.ColdStart.TotalMilliseconds:0} ms | | | | | | | {peer.ColdStart.TotalMilliseconds:0} ms | | | |");
    sb.AppendLine();
    sb.AppendLine(CultureInfo.InvariantCulture, $"Limits measured in the same run: Argon2id {argonLimit:0.0} verifications/s on all cores at the start{ArgonBeside(gatehouse.Results)}; ES256 {es256Limit:0} verifications/s on all cores (the authenticated read checks signatures once per token, then by a cache keyed by the token's hash, so its bound is the HTTP floor).");
    return sb.ToString();
}

// The hashing rows' own limits, measured right beside each of them.
static string ArgonBeside(List<WorkloadResult> results)
{
    var beside = results.Where(r => r.ArgonLimit is not null).Select(r => r.ArgonLimit!.Value).ToList();
    return beside.Count == 0 ? "" : $"; each hashing row runs in {LimitSlices} slices with the limit measured before, between and after them, and each slice is compared with the mean of the limits beside it ({beside.Min():0.0}–{beside.Max():0.0}/s on average per row in this run); \"hashing\" is the share of all cores the server's hashing threads used meanwhile";
}

string Document(string table, string repositoryRoot)
{
    var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
    var memory = File.ReadLines("/proc/meminfo").First().Split(':', 2)[1].Trim();
    var notes = Path.Combine(repositoryRoot, "bench/notes.md");
    return $"""
        # Benchmarks

        Produced by `./scripts/bench.sh` on {DateTime.UtcNow:yyyy-MM-dd} ({Environment.ProcessorCount} cores, {cpu}, {memory} memory, .NET {Environment.Version}).
        Gatehouse runs on SQLite (published as `./scripts/run.sh` does: Release, Native AOT; default settings but rate limits lifted); the peer is
        `bench/peers/IdentityPeer` (published as ReadyToRun: EF Core cannot be compiled by Native AOT), ASP.NET Core Identity's `MapIdentityApi` on
        SQLite with default options. The load comes from a separate process over loopback, one
        keep-alive HTTP/1.1 connection per virtual client ({concurrency} virtual clients,
        {warmup.TotalSeconds:0} s of unmeasured warm-up, then {duration.TotalSeconds:0} s measured per workload); the two servers take
        turns workload by workload, and within the refresh, read and floor rows slice by slice ({TurnSlices} slices each; only one is under load at a time); load generator and server share the same cores. "CPU cores" is each process's CPU time over the measured time.

        {table}
        {(File.Exists(notes) ? File.ReadAllText(notes) : "")}
        """;
}

static HttpClient Client(Uri baseAddress, int connections) => new(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = baseAddress,
    Timeout = TimeSpan.FromSeconds(30),
};

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string FindRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gatehouse.slnx")))
    {
        dir = dir.Parent;
    }
    return dir?.FullName ?? throw new InvalidOperationException("Run the benchmark from inside the repository.");
}

/// <summary>One server under test: where its routes are and what its bodies look like.</summary>
internal sealed record Target(
    string Description,
    string Dll,
    string ReadyPath,
    string RegisterPath,
    HttpStatusCode RegisteredStatus,
    Func<string, object> RegisterBody,
    string SignInPath,
    Func<string, object> SignInBody,
    string RefreshPath,
    string ReadPath,
    string LivePath,
    string[] Names,
    bool HashesWithArgon2id,
    int Server);
