using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>
/// The unit of work of one scope (one request), with the semantics of the real one
/// (src/Gatehouse.Storage/Sql/SqlSession.cs) that the core relies on:
/// <list type="bullet">
/// <item>rows read "tracked" are copies remembered with the values they were read with; reading
/// a row already tracked returns the tracked copy;</item>
/// <item><see cref="SaveChangesAsync"/> writes what was added, the changed columns of what was
/// changed, and what was removed, all or nothing; a unique index (or key) the result would
/// break refuses the whole save with <see cref="SaveOutcome.UniqueViolation"/> and the index's
/// name, and leaves the pending changes pending;</item>
/// <item><see cref="Reset"/> forgets everything pending and tracked;</item>
/// <item>a transaction takes the writer's turn; disposing it without a commit undoes every write
/// made since it began (saves and immediate writes alike); a transaction begun inside another is
/// part of it.</item>
/// </list>
/// </summary>
internal sealed class FakeUnitOfWork(InMemoryDatabase db) : IUnitOfWork
{
    private readonly Dictionary<(Table Table, string Key), Entry> _byKey = [];
    private readonly Dictionary<object, Entry> _byEntity = new(ReferenceEqualityComparer.Instance);
    private readonly List<string> _uncommittedUsers = [];
    private Dictionary<Table, (Dictionary<string, object> Rows, long LastIdentity)>? _rollback;
    private long _sequence;

    public InMemoryDatabase Database => db;

    /// <summary>How many saves wrote something (a save with nothing to write does not count).</summary>
    public int Saves { get; private set; }

    public bool InTransaction => _rollback is not null;

    // ---- reads ----

    /// <summary>The tracked copy of a committed row (or the copy already tracked for its key).</summary>
    public T? Track<T>(Table table, T? committed) where T : class
    {
        if (committed is null)
        {
            return null;
        }
        var key = table.KeyOf(committed);
        if (_byKey.TryGetValue((table, key), out var existing))
        {
            return (T)existing.Entity;
        }
        var copy = Table.Copy(committed);
        Remember(new Entry(copy, table, State.Unchanged, Table.Copy(committed), _sequence++), key);
        return copy;
    }

    /// <summary>Like <see cref="Track{T}"/>, but a copy already tracked is overwritten with the committed row (its unsaved changes dropped).</summary>
    public T? Reload<T>(Table table, T? committed) where T : class
    {
        if (committed is null)
        {
            return null;
        }
        if (_byKey.TryGetValue((table, table.KeyOf(committed)), out var entry))
        {
            table.CopyInto(entry.Entity, committed);
            entry.Original = Table.Copy(committed);
            entry.State = State.Unchanged;
            return (T)entry.Entity;
        }
        return Track(table, committed);
    }

    /// <summary>Reads under the database's lock.</summary>
    public TResult Read<TResult>(Func<TResult> read)
    {
        lock (db.Data)
        {
            return read();
        }
    }

    // ---- changes ----

    public void Add(Table table, object entity)
    {
        if (!_byEntity.ContainsKey(entity))
        {
            _byEntity[entity] = new Entry(entity, table, State.Added, null, _sequence++);
        }
    }

    public void Remove(Table table, object entity)
    {
        if (_byEntity.TryGetValue(entity, out var entry))
        {
            if (entry.State == State.Added)
            {
                Forget(entry);
            }
            else
            {
                entry.State = State.Deleted;
            }
            return;
        }
        Remember(new Entry(entity, table, State.Deleted, Table.Copy(entity), _sequence++), table.KeyOf(entity));
    }

    /// <summary>Stops tracking the row of a key (an immediate write changed it behind the tracker).</summary>
    public void Detach(Table table, string key)
    {
        if (_byKey.TryGetValue((table, key), out var entry))
        {
            Forget(entry);
        }
    }

    /// <summary>
    /// A write outside change tracking (a conditional update): one statement, atomic by itself,
    /// in the writer's turn (the transaction's when one is open).
    /// </summary>
    public async Task<TResult> WriteAsync<TResult>(Func<TResult> write, CancellationToken cancellationToken)
    {
        var takesTurn = !InTransaction;
        if (takesTurn)
        {
            await db.Writer.WaitAsync(cancellationToken);
        }
        try
        {
            lock (db.Data)
            {
                return write();
            }
        }
        finally
        {
            if (takesTurn)
            {
                db.Writer.Release();
            }
        }
    }

    /// <summary>
    /// After an immediate write stored some columns of a tracked entity (and the entity was given
    /// the stored values): takes them as its saved values, as the real one does.
    /// </summary>
    public void MarkStored(Table table, object entity, params string[] properties)
    {
        if (!_byEntity.TryGetValue(entity, out var entry) || entry.Original is null)
        {
            return;
        }
        foreach (var column in table.Columns.Where(c => properties.Contains(c.Name)))
        {
            column.SetValue(entry.Original, column.GetValue(entity));
        }
    }

    /// <summary>An immediate write changed a user row: the listener hears of it once committed.</summary>
    public void UserWritten(string userId)
    {
        if (InTransaction)
        {
            _uncommittedUsers.Add(userId);
        }
        else
        {
            Notify([userId]);
        }
    }

    public void Reset()
    {
        _byKey.Clear();
        _byEntity.Clear();
    }

    public async Task<SaveResult> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        var work = new List<(Entry Entry, System.Reflection.PropertyInfo[]? Changed)>();
        foreach (var entry in _byEntity.Values.OrderBy(e => e.Sequence))
        {
            if (entry.State is State.Added or State.Deleted)
            {
                work.Add((entry, null));
            }
            else if (entry.Table.Changed(entry.Original!, entry.Entity) is { Length: > 0 } changed)
            {
                work.Add((entry, changed));
            }
        }
        if (work.Count == 0)
        {
            return SaveResult.Saved;
        }
        var changedUsers = work.Where(w => w.Entry.Table == db.Users).Select(w => ((User)w.Entry.Entity).Id).ToList();
        var violation = await WriteAsync(() => Apply(work), cancellationToken);
        if (violation is not null)
        {
            return new SaveResult(SaveOutcome.UniqueViolation, violation);
        }
        Saves++;
        foreach (var (entry, _) in work)
        {
            if (entry.State == State.Deleted)
            {
                Forget(entry);
                continue;
            }
            var wasAdded = entry.State == State.Added;
            entry.State = State.Unchanged;
            entry.Original = Table.Copy(entry.Entity);
            if (wasAdded)
            {
                _byKey[(entry.Table, entry.Table.KeyOf(entry.Entity))] = entry;
            }
        }
        if (InTransaction)
        {
            _uncommittedUsers.AddRange(changedUsers);
        }
        else
        {
            Notify(changedUsers);
        }
        return SaveResult.Saved;
    }

    /// <summary>Writes the work to the tables, or nothing and the name of the index it would break.</summary>
    private string? Apply(List<(Entry Entry, System.Reflection.PropertyInfo[]? Changed)> work)
    {
        var proposed = new Dictionary<Table, Dictionary<string, object>>();
        var identities = new Dictionary<Table, long>();
        var assigned = new List<(Entry Entry, long Identity)>();
        Dictionary<string, object> Rows(Table table) =>
            proposed.TryGetValue(table, out var rows) ? rows : proposed[table] = new Dictionary<string, object>(table.Rows, StringComparer.Ordinal);

        foreach (var (entry, _) in work.Where(w => w.Entry.State == State.Deleted))
        {
            Rows(entry.Table).Remove(entry.Table.KeyOf(entry.Original!));
        }
        foreach (var (entry, changed) in work.Where(w => w.Changed is not null))
        {
            var rows = Rows(entry.Table);
            var key = entry.Table.KeyOf(entry.Original!);
            if (!rows.TryGetValue(key, out var current))
            {
                // The row is gone (deleted by another scope): an UPDATE that matches nothing.
                continue;
            }
            // Only the changed columns, so a concurrent write to another column is not undone.
            var updated = Table.Copy(current);
            foreach (var column in changed!)
            {
                column.SetValue(updated, column.GetValue(entry.Entity));
            }
            rows.Remove(key);
            var newKey = entry.Table.KeyOf(updated);
            if (!rows.TryAdd(newKey, updated))
            {
                return entry.Table.KeyName;
            }
        }
        foreach (var (entry, _) in work.Where(w => w.Entry.State == State.Added))
        {
            var table = entry.Table;
            var row = Table.Copy(entry.Entity);
            if (table.HasIdentity)
            {
                var identity = (identities.TryGetValue(table, out var last) ? last : table.LastIdentity) + 1;
                identities[table] = identity;
                table.SetIdentity(row, identity);
                assigned.Add((entry, identity));
            }
            if (!Rows(table).TryAdd(table.KeyOf(row), row))
            {
                return table.KeyName;
            }
        }
        foreach (var (table, rows) in proposed)
        {
            if (table.FirstViolation(rows.Values) is { } index)
            {
                return index;
            }
        }
        foreach (var (table, rows) in proposed)
        {
            table.Replace(rows);
        }
        foreach (var (table, identity) in identities)
        {
            table.LastIdentity = identity;
        }
        foreach (var (entry, identity) in assigned)
        {
            entry.Table.SetIdentity(entry.Entity, identity);
        }
        return null;
    }

    public async Task<IUnitOfWorkTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default)
    {
        if (InTransaction)
        {
            return NestedTransaction.Instance;
        }
        await db.Writer.WaitAsync(cancellationToken);
        lock (db.Data)
        {
            _rollback = db.All.ToDictionary(t => t, t => t.Snapshot());
        }
        return new Transaction(this);
    }

    private void End(bool commit)
    {
        if (!commit)
        {
            lock (db.Data)
            {
                foreach (var (table, snapshot) in _rollback!)
                {
                    table.Restore(snapshot);
                }
            }
        }
        _rollback = null;
        db.Writer.Release();
        var users = _uncommittedUsers.ToList();
        _uncommittedUsers.Clear();
        if (commit)
        {
            Notify(users);
        }
    }

    private void Notify(IEnumerable<string> userIds)
    {
        foreach (var id in userIds)
        {
            db.UserListener?.UserChanged(id);
        }
    }

    private void Remember(Entry entry, string key)
    {
        _byEntity[entry.Entity] = entry;
        _byKey[(entry.Table, key)] = entry;
    }

    private void Forget(Entry entry)
    {
        _byEntity.Remove(entry.Entity);
        if (entry.Original is not null)
        {
            _byKey.Remove((entry.Table, entry.Table.KeyOf(entry.Original)));
        }
    }

    private enum State
    {
        Unchanged,
        Added,
        Deleted,
    }

    private sealed class Entry(object entity, Table table, State state, object? original, long sequence)
    {
        public object Entity { get; } = entity;
        public Table Table { get; } = table;
        public State State { get; set; } = state;
        public object? Original { get; set; } = original;
        public long Sequence { get; } = sequence;
    }

    private sealed class Transaction(FakeUnitOfWork unitOfWork) : IUnitOfWorkTransaction
    {
        private bool _done;

        public Task CommitAsync(CancellationToken cancellationToken = default)
        {
            _done = true;
            unitOfWork.End(commit: true);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (!_done)
            {
                _done = true;
                unitOfWork.End(commit: false);
            }
            return ValueTask.CompletedTask;
        }
    }

    private sealed class NestedTransaction : IUnitOfWorkTransaction
    {
        public static NestedTransaction Instance { get; } = new();

        public Task CommitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
