using System.Reflection;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Teams;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>A unique index (or primary key) over one column, named as the storage layer names it.</summary>
internal sealed record UniqueIndex(string Name, Func<object, string?> Value);

/// <summary>
/// One table of <see cref="InMemoryDatabase"/>: committed rows by key. The rows it holds are
/// never handed out; readers get copies, so a change to a row read is saved only by a save (as
/// with the real unit of work) or lost.
/// </summary>
internal sealed class Table
{
    private static readonly MethodInfo MemberwiseCloneMethod =
        typeof(object).GetMethod("MemberwiseClone", BindingFlags.Instance | BindingFlags.NonPublic)!;

    private readonly Func<object, string> _key;
    private readonly Func<object, long>? _getIdentity;
    private readonly Action<object, long>? _setIdentity;

    private Table(string name, Type rowType, Func<object, string> key, string keyName, Func<object, long>? getIdentity, Action<object, long>? setIdentity, UniqueIndex[] unique)
    {
        Name = name;
        RowType = rowType;
        _key = key;
        KeyName = keyName;
        _getIdentity = getIdentity;
        _setIdentity = setIdentity;
        Unique = unique;
        Columns = rowType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite).ToArray();
    }

    public static Table Of<T>(string name, Func<T, string> key, string keyName, params (string Name, Func<T, string?> Value)[] unique) where T : class =>
        new(name, typeof(T), row => key((T)row), keyName, null, null, unique.Select(u => new UniqueIndex(u.Name, row => u.Value((T)row))).ToArray());

    /// <summary>A table whose rows the database numbers (an identity column), as users, clients and the outbox.</summary>
    public static Table WithIdentity<T>(string name, Func<T, string> key, string keyName, Func<T, long> get, Action<T, long> set, params (string Name, Func<T, string?> Value)[] unique) where T : class =>
        new(name, typeof(T), row => key((T)row), keyName, row => get((T)row), (row, n) => set((T)row, n), unique.Select(u => new UniqueIndex(u.Name, row => u.Value((T)row))).ToArray());

    public string Name { get; }
    public Type RowType { get; }
    public string KeyName { get; }
    public IReadOnlyList<UniqueIndex> Unique { get; }
    public PropertyInfo[] Columns { get; }
    public bool HasIdentity => _setIdentity is not null;

    /// <summary>The committed rows (the database's own objects: copy before handing one out).</summary>
    public Dictionary<string, object> Rows { get; private set; } = new(StringComparer.Ordinal);

    public long LastIdentity { get; set; }

    public string KeyOf(object row) => _key(row);

    public void SetIdentity(object row, long value) => _setIdentity!(row, value);

    public long IdentityOf(object row) => _getIdentity!(row);

    public static T Copy<T>(T row) where T : class => (T)MemberwiseCloneMethod.Invoke(row, null)!;

    /// <summary>Every column of <paramref name="source"/> into <paramref name="target"/>.</summary>
    public void CopyInto(object target, object source)
    {
        foreach (var column in Columns)
        {
            column.SetValue(target, column.GetValue(source));
        }
    }

    /// <summary>The columns whose values differ between two rows.</summary>
    public PropertyInfo[] Changed(object original, object current) =>
        Columns.Where(c => !Equals(c.GetValue(original), c.GetValue(current))).ToArray();

    /// <summary>The name of the first unique index (or the key) that <paramref name="rows"/> break, or null.</summary>
    public string? FirstViolation(IEnumerable<object> rows)
    {
        foreach (var index in Unique)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in rows)
            {
                // As in SQL, a unique index allows any number of NULLs.
                if (index.Value(row) is { } value && !seen.Add(value))
                {
                    return index.Name;
                }
            }
        }
        return null;
    }

    public (Dictionary<string, object> Rows, long LastIdentity) Snapshot() =>
        (Rows.ToDictionary(r => r.Key, r => Copy(r.Value), StringComparer.Ordinal), LastIdentity);

    public void Restore((Dictionary<string, object> Rows, long LastIdentity) snapshot)
    {
        Rows = snapshot.Rows;
        LastIdentity = snapshot.LastIdentity;
    }

    public void Replace(Dictionary<string, object> rows) => Rows = rows;
}

/// <summary>
/// The database behind the fakes: the committed rows of every table the core's ports reach,
/// with the unique indexes of the real schema (src/Gatehouse.Storage/Migrations). One writer at
/// a time, as on SQLite: a unit of work's transaction holds <see cref="Writer"/> until it ends,
/// and a write outside a transaction takes it for that write. Readers do not wait (they may see
/// a transaction's writes before its commit, which SQLite would not show; the tests that need
/// isolation say so).
/// </summary>
internal sealed class InMemoryDatabase
{
    /// <summary>Guards every table's dictionary; held only for the length of one read or write.</summary>
    public Lock Data { get; } = new();

    /// <summary>SQLite's single writer: the turn a transaction or a lone write takes.</summary>
    public SemaphoreSlim Writer { get; } = new(1, 1);

    public Table Users { get; } = Table.WithIdentity<User>("users", u => u.Id, "users.id", u => u.Number, (u, n) => u.Number = n,
        ("ux_users_normalized_email", u => u.NormalizedEmail), ("ux_users_normalized_username", u => u.NormalizedUsername));

    public Table Sessions { get; } = Table.Of<Session>("sessions", s => s.Id, "sessions.id", ("ux_sessions_secret_hash", s => s.SecretHash));

    public Table RefreshTokens { get; } = Table.Of<RefreshToken>("refresh_tokens", t => t.Hash, "refresh_tokens.hash");

    public Table OneTimeTokens { get; } = Table.Of<OneTimeToken>("one_time_tokens", t => t.Hash, "one_time_tokens.hash");

    public Table Outbox { get; } = Table.WithIdentity<OutboxMessage>("outbox_messages", m => Key(m.Id), "outbox_messages.id", m => m.Id, (m, n) => m.Id = n);

    public Table Audit { get; } = Table.WithIdentity<AuditEvent>("audit_events", e => Key(e.Id), "audit_events.id", e => e.Id, (e, n) => e.Id = n);

    public Table Clients { get; } = Table.WithIdentity<Client>("clients", c => c.ClientId, "clients.client_id", c => c.Number, (c, n) => c.Number = n);

    public Table UserClients { get; } = Table.Of<UserClient>("user_clients", u => u.UserId + "\n" + u.ClientId, "user_clients.user_id, user_clients.client_id");

    public Table SignInOtps { get; } = Table.Of<SignInOtp>("sign_in_otps", o => o.Id, "sign_in_otps.id", ("sign_in_otps.hash", o => o.Hash));

    public Table Teams { get; } = Table.WithIdentity<Team>("teams", t => t.Id, "teams.id", t => t.Number, (t, n) => t.Number = n);

    public Table TeamMembers { get; } = Table.Of<TeamMember>("team_members", m => m.TeamId + "\n" + m.UserId, "team_members.team_id, team_members.user_id");

    public IEnumerable<Table> All => [Users, Sessions, RefreshTokens, OneTimeTokens, Outbox, Audit, Clients, UserClients, SignInOtps, Teams, TeamMembers];

    /// <summary>Told of every committed write of a user row, as the storage layer tells the user cache.</summary>
    public IUserChangeListener? UserListener { get; set; }

    public static string Key(long identity) => identity.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Copies of the committed rows of a table that match, for assertions and queries.</summary>
    public List<T> Select<T>(Table table, Func<T, bool>? where = null) where T : class
    {
        lock (Data)
        {
            return table.Rows.Values.Cast<T>().Where(r => where is null || where(r)).Select(Table.Copy).ToList();
        }
    }

    /// <summary>A copy of one committed row, or null.</summary>
    public T? Get<T>(Table table, string key) where T : class
    {
        lock (Data)
        {
            return table.Rows.TryGetValue(key, out var row) ? Table.Copy((T)row) : null;
        }
    }

    /// <summary>
    /// Changes committed rows directly, as another instance sharing the database would (behind
    /// every cache of this one). Takes the writer's turn.
    /// </summary>
    public async Task ChangeAsync<T>(Table table, string key, Action<T> change) where T : class
    {
        await Writer.WaitAsync();
        try
        {
            lock (Data)
            {
                change((T)table.Rows[key]);
            }
        }
        finally
        {
            Writer.Release();
        }
    }
}
