namespace Gatehouse.Bench;

/// <summary>
/// Makes the two servers take turns, workload by workload: Gatehouse starts, the peer starts,
/// Gatehouse's registration, the peer's registration, Gatehouse's sign-in, the peer's sign-in,
/// and so on. The machine is a VM whose speed drifts by up to a third within minutes; running
/// every Gatehouse workload and then every peer workload compared measurements taken minutes
/// apart. A turn lasts from a <see cref="NextAsync"/> until the same server's next call or its
/// <see cref="Finish"/>, so the setup between two workloads (registering users, signing in)
/// and the server's shutdown never overlap the other server's measured run. Only one server is
/// ever under load.
/// </summary>
internal sealed class Turns
{
    private readonly List<(int Server, string Step)> _schedule = [];
    private readonly HashSet<int> _finished = [];
    private readonly object _gate = new();
    private int _position;
    private int _holder = -1;
    private TaskCompletionSource _moved = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="steps">The steps in order, each with the servers that take it.</param>
    public Turns(IEnumerable<(string Step, int[] Servers)> steps)
    {
        foreach (var (step, servers) in steps)
        {
            foreach (var server in servers)
            {
                _schedule.Add((server, step));
            }
        }
    }

    /// <summary>Ends the server's current turn (if it holds one) and waits for its turn at <paramref name="step"/>.</summary>
    public async Task NextAsync(int server, string step)
    {
        if (!_schedule.Contains((server, step)))
        {
            throw new ArgumentException($"Step '{step}' of server {server} is not in the schedule.", nameof(step));
        }
        while (true)
        {
            Task moved;
            lock (_gate)
            {
                if (_holder == server)
                {
                    _holder = -1;
                    Advance(completedCurrent: true);
                }
                if (_position < _schedule.Count && _schedule[_position] == (server, step))
                {
                    _holder = server;
                    return;
                }
                moved = _moved.Task;
            }
            await moved;
        }
    }

    /// <summary>The server is done (or failed): its remaining steps are skipped, so the other never waits for it.</summary>
    public void Finish(int server)
    {
        lock (_gate)
        {
            _finished.Add(server);
            if (_holder == server)
            {
                _holder = -1;
            }
            Advance(completedCurrent: false);
        }
    }

    private void Advance(bool completedCurrent)
    {
        if (completedCurrent)
        {
            _position++;
        }
        while (_position < _schedule.Count && _finished.Contains(_schedule[_position].Server))
        {
            _position++;
        }
        var moved = _moved;
        _moved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        moved.SetResult();
    }
}
