using Gatehouse.Core.Common;
using Gatehouse.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace Gatehouse.Storage;

/// <summary>
/// Group commit for refresh-token rotation on SQLite. SQLite runs one write transaction at a
/// time, and each costs a commit (WAL frames written, every other connection's page cache made
/// stale). Rotations queue here; one loop takes everything queued (up to
/// <see cref="MaxBatch"/>), waits its turn on <see cref="SqliteWriteLock"/> like every other
/// writer of this process, and handles them in one transaction on its own connection with
/// prepared statements: for each, it reads the snapshot, asks the plan, and writes the
/// rotation (should a rotation's conditions not hold, the batch is written again with each
/// rotation inside a savepoint, so that one is undone alone; see <see cref="Write"/>). The
/// read happens here rather than on a reader connection because the writer's page cache stays
/// warm: a reader's whole cache is dropped at every commit, so its read costs a system call per
/// page. Reading inside the write transaction also sees the rotations earlier in the batch.
/// Alone, a rotation is written at once: batching only happens while an earlier commit is in
/// progress, so it adds no latency.
/// The writer's connection never checkpoints the WAL itself (an automatic checkpoint runs
/// inside the commit that crosses the threshold and holds every queued rotation behind an
/// fsync): at most once a second after a commit, a passive checkpoint runs on its own
/// connection beside the writer, which it does not block.
/// </summary>
internal sealed class SqliteRotationWriter : IAsyncDisposable
{
    private const int MaxBatch = 64;

    private readonly DatabaseConnections _connections;
    private readonly System.Collections.Concurrent.ConcurrentQueue<Pending> _queue = new();
    // Wakes the writer without spinning first: with two cores busy serving requests, a spinning
    // writer takes CPU from them (a BlockingCollection spun for about 4 % of the process's CPU).
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly Thread _loop;
    private volatile bool _stopping;
    private int _exited;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly long CheckpointInterval = System.Diagnostics.Stopwatch.Frequency;
    private Statements? _statements;
    private SqliteConnection? _checkpointConnection;
    private Task _checkpoint = Task.CompletedTask;
    private long _lastCheckpoint;

    public SqliteRotationWriter(DatabaseConnections connections)
    {
        _connections = connections;
        // Its own thread: the writer blocks in SQLite for most of its turn, which on a
        // thread-pool thread would take one of the few threads that serve requests.
        _loop = new Thread(Run) { IsBackground = true, Name = "sqlite rotation writer" };
        _loop.Start();
    }

    public Task<RotationAttempt> RotateAsync(string hash, Func<RefreshSnapshot, RefreshRotation?> plan)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        var pending = new Pending(hash, plan);
        _queue.Enqueue(pending);
        _wake.Set();
        if (Volatile.Read(ref _exited) == 1)
        {
            // Queued after the loop's last look at the queue (the enqueue and this read are
            // ordered by the queue's interlocked operations): nothing will write it.
            pending.Outcome.TrySetException(new ObjectDisposedException(nameof(SqliteRotationWriter)));
        }
        return pending.Outcome.Task;
    }

    private void Run()
    {
        try
        {
            RunLoop();
        }
        finally
        {
            Interlocked.Exchange(ref _exited, 1);
            while (_queue.TryDequeue(out var pending))
            {
                pending.Outcome.TrySetException(new ObjectDisposedException(nameof(SqliteRotationWriter)));
            }
            _stopped.TrySetResult();
        }
    }

    private void RunLoop()
    {
        var batch = new List<Pending>(MaxBatch);
        // Takes everything queued (up to MaxBatch); with nothing queued, sleeps until a producer
        // wakes this thread directly.
        while (true)
        {
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var pending))
            {
                batch.Add(pending);
            }
            if (batch.Count == 0)
            {
                if (_stopping)
                {
                    return;
                }
                _wake.Reset();
                // A rotation queued after the reset sets the event again, so this cannot miss it.
                if (_queue.IsEmpty && !_stopping)
                {
                    _wake.Wait();
                }
                continue;
            }
            try
            {
                SqliteWriteLock.Instance.Enter();
                try
                {
                    Write(batch);
                }
                finally
                {
                    SqliteWriteLock.Instance.Exit();
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Outcome.TrySetException(ex);
                }
                // The connection may be unusable (a failed commit); the next batch opens anew.
                _statements?.Dispose();
                _statements = null;
            }
            batch.Clear();
        }
    }

    private void Write(List<Pending> batch)
    {
        var statements = _statements ??= new Statements((SqliteConnection)_connections.Create());
        var outcomes = new RotationAttempt[batch.Count];
        // First without a savepoint per rotation: each plan decided on a snapshot read in this
        // transaction, under the only write lock, so its conditional statements hold. Should one
        // not (a plan that asked for more than its snapshot allows, or a failed statement), the
        // whole batch is undone and written again with a savepoint around each rotation, so
        // that one fails alone. Plans are pure: asking one twice gives the same rotation, and
        // the second pass sets every outcome the first did.
        if (!WriteBatch(statements, batch, outcomes, guarded: false))
        {
            WriteBatch(statements, batch, outcomes, guarded: true);
        }
        // Only after the commit: a request learns of its rotation once it is durable (one whose
        // plan failed already has its outcome, which this leaves as it is).
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Outcome.TrySetResult(outcomes[i]);
        }
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_checkpoint.IsCompleted && now - _lastCheckpoint >= CheckpointInterval)
        {
            _lastCheckpoint = now;
            _checkpoint = Task.Run(CheckpointAsync);
        }
    }

    /// <summary>One transaction over the batch; false (and nothing written) when an unguarded rotation did not apply.</summary>
    private static bool WriteBatch(Statements statements, List<Pending> batch, RotationAttempt[] outcomes, bool guarded)
    {
        using var transaction = statements.Connection.BeginTransaction();
        statements.Enlist(transaction);
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i].Outcome.Task.IsCompleted)
            {
                // Its plan threw in the first pass.
                continue;
            }
            var snapshot = statements.Find(batch[i].Hash);
            RefreshRotation? rotation;
            try
            {
                rotation = snapshot is null ? null : batch[i].Plan(snapshot);
            }
            catch (Exception ex)
            {
                // A failing plan fails its own request (it wrote nothing), not the batch.
                batch[i].Outcome.TrySetException(ex);
                continue;
            }
            var rotated = false;
            if (rotation is not null)
            {
                rotated = guarded ? statements.TryRotateAlone(rotation) : statements.TryRotate(rotation);
                if (!rotated && !guarded)
                {
                    transaction.Rollback();
                    return false;
                }
            }
            outcomes[i] = new RotationAttempt(snapshot, rotated ? rotation : null);
        }
        transaction.Commit();
        return true;
    }

    /// <summary>
    /// Two passes: the first copies the WAL into the database beside the writer; the second,
    /// in the writer's turn, copies what was appended meanwhile (little), so the checkpoint
    /// completes and the next commit starts the WAL over instead of growing it.
    /// </summary>
    private async Task CheckpointAsync()
    {
        try
        {
            if (_checkpointConnection is null)
            {
                _checkpointConnection = (SqliteConnection)_connections.Create();
                _checkpointConnection.Open();
            }
            using var command = _checkpointConnection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout=30000; PRAGMA wal_checkpoint(PASSIVE);";
            command.ExecuteNonQuery();
            await SqliteWriteLock.Instance.EnterAsync();
            try
            {
                command.ExecuteNonQuery();
            }
            finally
            {
                SqliteWriteLock.Instance.Exit();
            }
        }
        catch (SqliteException)
        {
            // A checkpoint that cannot run now runs at the next chance (or in another connection's commit).
            _checkpointConnection?.Dispose();
            _checkpointConnection = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _wake.Set();
        await _stopped.Task;
        await _checkpoint;
        _statements?.Dispose();
        _checkpointConnection?.Dispose();
        _wake.Dispose();
    }

    private sealed record Pending(string Hash, Func<RefreshSnapshot, RefreshRotation?> Plan)
    {
        public TaskCompletionSource<RotationAttempt> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The writer's connection and its statements, prepared once and reused.</summary>
    private sealed class Statements : IDisposable
    {
        private readonly SqliteCommand _savepoint;
        private readonly SqliteCommand _release;
        private readonly SqliteCommand _rollback;
        private readonly SqliteCommand _moveSession;
        private readonly SqliteCommand _consumeToken;
        private readonly SqliteCommand _insertToken;
        private readonly SqliteCommand _find;
        private readonly SqliteCommand[] _all;

        public Statements(SqliteConnection connection)
        {
            Connection = connection;
            connection.Open();
            using (var pragmas = connection.CreateCommand())
            {
                pragmas.CommandText = SqlitePragmas.Sql + " PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;";
                pragmas.ExecuteNonQuery();
            }
            _savepoint = Command("SAVEPOINT rotation");
            _release = Command("RELEASE rotation");
            _rollback = Command("ROLLBACK TO rotation");
            _moveSession = Command("UPDATE sessions SET generation = $next, last_seen_at = $now WHERE id = $session AND generation = $expected AND ended_at IS NULL", "$next", "$now", "$session", "$expected");
            _consumeToken = Command("UPDATE refresh_tokens SET consumed_at = $now, sealed_successor = $successor WHERE hash = $hash AND consumed_at IS NULL", "$now", "$successor", "$hash");
            _insertToken = Command("INSERT INTO refresh_tokens (hash, session_id, generation, created_at, expires_at) VALUES ($hash, $session, $generation, $created, $expires)", "$hash", "$session", "$generation", "$created", "$expires");
            _find = Command(RefreshSnapshotQuery.Sql, SqlCommands.ParameterName(0));
            _all = [_savepoint, _release, _rollback, _moveSession, _consumeToken, _insertToken, _find];
        }

        public SqliteConnection Connection { get; }

        public void Enlist(SqliteTransaction transaction)
        {
            foreach (var command in _all)
            {
                command.Transaction = transaction;
            }
        }

        public RefreshSnapshot? Find(string hash)
        {
            _find.Parameters[0].Value = hash;
            using var reader = _find.ExecuteReader();
            return reader.Read() ? RefreshSnapshotQuery.Read(reader) : null;
        }

        /// <summary>The rotation's three conditional statements; false when one did not apply (the caller undoes the transaction).</summary>
        public bool TryRotate(RefreshRotation rotation)
        {
            var now = rotation.Now.ToUnixTimeMilliseconds();
            var successor = rotation.Successor;
            try
            {
                return Execute(_moveSession, rotation.ExpectedGeneration + 1, now, rotation.SessionId, rotation.ExpectedGeneration) == 1
                    && Execute(_consumeToken, now, (object?)rotation.SealedSuccessor ?? DBNull.Value, rotation.ConsumedHash) == 1
                    && Execute(_insertToken, successor.Hash, successor.SessionId, successor.Generation, successor.CreatedAt.ToUnixTimeMilliseconds(), successor.ExpiresAt.ToUnixTimeMilliseconds()) == 1;
            }
            catch (SqliteException)
            {
                return false;
            }
        }

        /// <summary><see cref="TryRotate"/> inside a savepoint: a rotation that does not apply is undone alone.</summary>
        public bool TryRotateAlone(RefreshRotation rotation)
        {
            _savepoint.ExecuteNonQuery();
            if (TryRotate(rotation))
            {
                _release.ExecuteNonQuery();
                return true;
            }
            // This rotation alone is undone; the caller's locked path decides and reports.
            _rollback.ExecuteNonQuery();
            _release.ExecuteNonQuery();
            return false;
        }

        private static int Execute(SqliteCommand command, params object[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i];
            }
            return command.ExecuteNonQuery();
        }

        private SqliteCommand Command(string sql, params string[] parameters) => SqliteStatements.Create(Connection, sql, parameters);

        public void Dispose()
        {
            foreach (var command in _all)
            {
                command.Dispose();
            }
            Connection.Dispose();
        }
    }
}
