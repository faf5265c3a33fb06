using Gatehouse.Core.Accounts;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;

namespace Gatehouse.Core.Tests.Fakes;

// The ports that read outside any unit of work (singletons in the server), over InMemoryDatabase.

internal sealed class InMemoryUserReader(InMemoryDatabase db) : IUserReader
{
    public Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Get<User>(db.Users, id));
}

internal sealed class InMemorySessionStateReader(InMemoryDatabase db) : ISessionStateReader
{
    /// <summary>How many times the state was read from the database (the cache's misses).</summary>
    public int Reads => _reads;

    private int _reads;

    public Task<SessionState> ReadAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        // The session and its user, as the SQL reader joins them.
        var session = db.Get<Session>(db.Sessions, sessionId);
        var user = session is null ? null : db.Get<User>(db.Users, session.UserId);
        return Task.FromResult(session is null || user is null
            ? SessionState.Unknown
            : new SessionState(session.EndedAt is null && session.ExpiresAt > now, session.Generation, user.Roles,
                user.TokensValidAfter?.ToUnixTimeSeconds() ?? 0, user.Status is not (UserStatus.Disabled or UserStatus.Deleted)));
    }
}

internal sealed class InMemorySessionSecretReader(InMemoryDatabase db) : ISessionSecretReader
{
    public Task<SessionSecretMatch?> FindAsync(string secretHash, CancellationToken cancellationToken = default) =>
        Task.FromResult(db.Select<Session>(db.Sessions, s => s.SecretHash == secretHash).Select(s => new SessionSecretMatch(s.Id, s.UserId)).FirstOrDefault());
}

/// <summary>
/// The refresh hot path over InMemoryDatabase, with the conditional rotation of
/// <see cref="RefreshRotation"/>: the session moves from the expected generation to the next
/// only while it has not ended, the presented token is consumed only if nothing consumed it
/// meanwhile, and the successor is added; all or nothing. The snapshot is read before the
/// writer's turn (as on PostgreSQL), so <see cref="BeforeWrite"/> can play a concurrent request
/// that lands between the read and the write.
/// </summary>
internal sealed class InMemoryRefreshRotationStore(InMemoryDatabase db) : IRefreshRotationStore
{
    /// <summary>Runs after the plan approved a rotation and before it is written (once, then cleared).</summary>
    public Func<Task>? BeforeWrite { get; set; }

    /// <summary>How many rotations were written.</summary>
    public int Rotations { get; private set; }

    /// <summary>How many rotations the plan asked for but a condition no longer allowed.</summary>
    public int Refused { get; private set; }

    public Task<RefreshSnapshot?> FindAsync(string hash, CancellationToken cancellationToken = default)
    {
        lock (db.Data)
        {
            return Task.FromResult(Snapshot(hash));
        }
    }

    public async Task<RotationAttempt> RotateAsync(string hash, Func<RefreshSnapshot, RefreshRotation?> plan, CancellationToken cancellationToken = default)
    {
        var snapshot = await FindAsync(hash, cancellationToken);
        var rotation = snapshot is null ? null : plan(snapshot);
        if (snapshot is null || rotation is null)
        {
            return new RotationAttempt(snapshot, null);
        }
        if (BeforeWrite is { } hook)
        {
            BeforeWrite = null;
            await hook();
        }
        await db.Writer.WaitAsync(cancellationToken);
        try
        {
            lock (db.Data)
            {
                var applied = TryRotate(rotation);
                if (applied)
                {
                    Rotations++;
                }
                else
                {
                    Refused++;
                }
                return new RotationAttempt(snapshot, applied ? rotation : null);
            }
        }
        finally
        {
            db.Writer.Release();
        }
    }

    private bool TryRotate(RefreshRotation rotation)
    {
        // Every condition is checked before anything is written: all or nothing.
        if (db.Sessions.Rows.GetValueOrDefault(rotation.SessionId) is not Session { EndedAt: null } session
            || session.Generation != rotation.ExpectedGeneration
            || db.RefreshTokens.Rows.GetValueOrDefault(rotation.ConsumedHash) is not RefreshToken { ConsumedAt: null } token
            || db.RefreshTokens.Rows.ContainsKey(rotation.Successor.Hash))
        {
            return false;
        }
        session.Generation = rotation.ExpectedGeneration + 1;
        session.LastSeenAt = rotation.Now;
        token.ConsumedAt = rotation.Now;
        token.SealedSuccessor = rotation.SealedSuccessor;
        db.RefreshTokens.Rows[rotation.Successor.Hash] = Table.Copy(rotation.Successor);
        return true;
    }

    private RefreshSnapshot? Snapshot(string hash)
    {
        if (db.RefreshTokens.Rows.GetValueOrDefault(hash) is not RefreshToken token
            || db.Sessions.Rows.GetValueOrDefault(token.SessionId) is not Session session
            || db.Users.Rows.GetValueOrDefault(session.UserId) is not User user)
        {
            return null;
        }
        return new RefreshSnapshot(session.Id, session.UserId, session.ClientId, token.Generation, token.ConsumedAt, token.ExpiresAt,
            session.Generation, session.EndedAt, session.ExpiresAt, session.RotateRefreshTokens, session.Surface, session.TeamId,
            session.SecondFactorPending, user.Number, user.Status, user.Roles, session.RefreshRules);
    }
}

/// <summary>
/// Client queries evaluated in memory with the meaning the SQL gives them
/// (src/Gatehouse.Storage/ClientQueryRepository.cs): deleted clients never match, "not equal"
/// matches a null column, <c>like</c> takes <c>%</c> and <c>_</c>. Records the last query.
/// </summary>
internal sealed class InMemoryClientQueryRepository(FakeUnitOfWork uow) : IClientQueryRepository
{
    public ClientQuery? LastQuery { get; private set; }

    public Task<IReadOnlyList<Client>> FindAsync(ClientQuery query, CancellationToken cancellationToken = default)
    {
        LastQuery = query;
        IEnumerable<Client> rows = Matching(query.Where);
        IOrderedEnumerable<Client>? ordered = null;
        foreach (var order in query.Order)
        {
            Func<Client, object?> key = c => Value(c, order.Field == ClientField.Deleted ? ClientField.Id : order.Field);
            ordered = ordered is null
                ? order.Descending ? rows.OrderByDescending(key, Comparer<object?>.Default) : rows.OrderBy(key, Comparer<object?>.Default)
                : order.Descending ? ordered.ThenByDescending(key, Comparer<object?>.Default) : ordered.ThenBy(key, Comparer<object?>.Default);
        }
        rows = ordered?.ThenBy(c => c.Number) ?? rows.OrderBy(c => c.Number);
        return Task.FromResult<IReadOnlyList<Client>>(rows.Skip(query.Skip).Take(query.Limit).ToList());
    }

    public Task<int> CountAsync(ClientFilter? where, CancellationToken cancellationToken = default) =>
        Task.FromResult(Matching(where).Count);

    public Task<IReadOnlyList<Client>> FindForUpdateAsync(ClientFilter? where, int max, CancellationToken cancellationToken = default)
    {
        var keys = Matching(where).OrderBy(c => c.Number).Take(max).Select(c => c.ClientId).ToList();
        return Task.FromResult<IReadOnlyList<Client>>(uow.Read(() => keys.Select(k => uow.Track(uow.Database.Clients, (Client)uow.Database.Clients.Rows[k])!).ToList()));
    }

    private List<Client> Matching(ClientFilter? where) =>
        uow.Database.Select<Client>(uow.Database.Clients, c => !c.IsDeleted && (where is null || Matches(c, where)));

    private static bool Matches(Client client, ClientFilter filter) => filter switch
    {
        AllOf all => all.Items.All(i => Matches(client, i)),
        AnyOf any => any.Items.Any(i => Matches(client, i)),
        Comparison c when c.Field == ClientField.Deleted => (c.Operator == FilterOperator.Eq) == (c.Values[0] is true) == client.IsDeleted,
        Comparison c => Compare(Value(client, c.Field), c),
        _ => throw new ArgumentOutOfRangeException(nameof(filter)),
    };

    private static bool Compare(object? column, Comparison c)
    {
        bool Equal(object? value) => value is null ? column is null : column is not null && Order(column, value) == 0;
        bool Ordered(object? value, Func<int, bool> test) => value is not null && column is not null && test(Order(column, value));
        return c.Operator switch
        {
            FilterOperator.Eq => Equal(c.Values[0]),
            FilterOperator.Neq => !Equal(c.Values[0]),
            FilterOperator.Gt => Ordered(c.Values[0], r => r > 0),
            FilterOperator.Gte => Ordered(c.Values[0], r => r >= 0),
            FilterOperator.Lt => Ordered(c.Values[0], r => r < 0),
            FilterOperator.Lte => Ordered(c.Values[0], r => r <= 0),
            FilterOperator.Between => Ordered(c.Values[0], r => r >= 0) && Ordered(c.Values[1], r => r <= 0),
            FilterOperator.Inq => c.Values.Any(Equal),
            FilterOperator.Nin => !c.Values.Any(Equal),
            FilterOperator.Like => c.Values[0] is string p && column is string s && Like(s, p),
            FilterOperator.NLike => c.Values[0] is string p && column is string s && !Like(s, p),
            _ => throw new ArgumentOutOfRangeException(nameof(c)),
        };
    }

    private static int Order(object column, object value) => (column, value) switch
    {
        (long a, long b) => a.CompareTo(b),
        (DateTimeOffset a, DateTimeOffset b) => a.ToUnixTimeMilliseconds().CompareTo(b.ToUnixTimeMilliseconds()),
        (string a, string b) => string.CompareOrdinal(a, b),
        _ => throw new ArgumentException($"Cannot compare {column.GetType()} with {value.GetType()}."),
    };

    private static bool Like(string text, string pattern) =>
        System.Text.RegularExpressions.Regex.IsMatch(text,
            "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("%", ".*", StringComparison.Ordinal).Replace("_", ".", StringComparison.Ordinal) + "$",
            System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.Singleline);

    private static object? Value(Client c, ClientField field) => field switch
    {
        ClientField.Id => c.Number,
        ClientField.ClientId => c.ClientId,
        ClientField.RedirectUrl => c.RedirectUris,
        ClientField.AccessTokenExpiration => (long?)c.AccessTokenLifetimeSeconds,
        ClientField.RefreshTokenExpiration => (long?)c.RefreshTokenLifetimeSeconds,
        ClientField.AuthCodeExpiration => (long?)c.AuthorizationCodeLifetimeSeconds,
        ClientField.CreatedOn => c.CreatedAt,
        ClientField.ModifiedOn => c.UpdatedAt,
        ClientField.DeletedOn => c.DeletedAt,
        ClientField.DeletedBy => c.DeletedBy,
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
