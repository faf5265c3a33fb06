using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Gatehouse.Storage;

/// <summary>The unit of work: one scoped DbContext, one transaction per save.</summary>
internal sealed class EfUnitOfWork(GatehouseDbContext db) : IUnitOfWork
{
    public async Task<SaveResult> SaveChangesAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return SaveResult.Saved;
        }
        catch (DbUpdateException ex) when (UniqueConstraint(ex) is { } constraint)
        {
            return new SaveResult(SaveOutcome.UniqueViolation, constraint);
        }
    }

    public async Task<IUnitOfWorkTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            return NestedTransaction.Instance;
        }
        return new EfTransaction(await db.Database.BeginTransactionAsync(cancellationToken));
    }

    public void Reset() => db.ChangeTracker.Clear();

    /// <summary>The violated unique index's name (or SQLite's message naming its columns).</summary>
    internal static string? UniqueConstraint(DbUpdateException ex) => ex.InnerException switch
    {
        SqliteException { SqliteErrorCode: 19 } sqlite when sqlite.Message.Contains("UNIQUE", StringComparison.Ordinal) => sqlite.Message,
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg => pg.ConstraintName ?? pg.MessageText,
        _ => null,
    };

    private sealed class EfTransaction(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction) : IUnitOfWorkTransaction
    {
        public Task CommitAsync(CancellationToken cancellationToken = default) => transaction.CommitAsync(cancellationToken);

        public ValueTask DisposeAsync() => transaction.DisposeAsync();
    }

    private sealed class NestedTransaction : IUnitOfWorkTransaction
    {
        public static NestedTransaction Instance { get; } = new();

        public Task CommitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

internal sealed class EfUserRepository(GatehouseDbContext db) : IUserRepository
{
    // Compiled once: the hot paths (bearer reads, sign-in, refresh) skip EF's query pipeline.
    private static readonly Func<GatehouseDbContext, string, Task<User?>> ById =
        EF.CompileAsyncQuery((GatehouseDbContext db, string id) => db.Users.FirstOrDefault(u => u.Id == id));

    private static readonly Func<GatehouseDbContext, string, Task<User?>> ByEmail =
        EF.CompileAsyncQuery((GatehouseDbContext db, string key) => db.Users.FirstOrDefault(u => u.NormalizedEmail == key));

    private static readonly Func<GatehouseDbContext, string, Task<User?>> ByUsername =
        EF.CompileAsyncQuery((GatehouseDbContext db, string key) => db.Users.FirstOrDefault(u => u.NormalizedUsername == key));

    public Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken = default) => ById(db, id);

    public Task<User?> FindByNumberAsync(long number, CancellationToken cancellationToken = default) =>
        db.Users.FirstOrDefaultAsync(u => u.Number == number, cancellationToken);

    public Task<User?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken = default) => ByEmail(db, normalizedEmail);

    public Task<User?> FindByUsernameAsync(string normalizedUsername, CancellationToken cancellationToken = default) => ByUsername(db, normalizedUsername);

    public async Task<User?> FindByLoginAsync(string normalizedLogin, CancellationToken cancellationToken = default) =>
        await ByEmail(db, normalizedLogin) ?? await ByUsername(db, normalizedLogin);

    public async Task<Page<User>> ListAsync(string? search, int offset, int limit, CancellationToken cancellationToken = default)
    {
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var key = search.Trim().ToUpperInvariant();
            query = query.Where(u => (u.NormalizedEmail != null && u.NormalizedEmail.Contains(key)) || (u.NormalizedUsername != null && u.NormalizedUsername.Contains(key)));
        }
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(u => u.Number).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return new Page<User>(items, total, offset, limit);
    }

    public void Add(User user) => db.Users.Add(user);
}

internal sealed class EfSessionRepository(GatehouseDbContext db) : ISessionRepository
{
    public void Add(Session session) => db.Sessions.Add(session);

    public void AddRefreshToken(RefreshToken token) => db.RefreshTokens.Add(token);

    public Task<Session?> FindAsync(string sessionId, CancellationToken cancellationToken = default) =>
        db.Sessions.FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken);

    private static readonly Func<GatehouseDbContext, string, Task<Session?>> SessionById =
        EF.CompileAsyncQuery((GatehouseDbContext db, string id) => db.Sessions.FirstOrDefault(s => s.Id == id));

    private static readonly Func<GatehouseDbContext, string, Task<RefreshToken?>> RefreshTokenByHash =
        EF.CompileAsyncQuery((GatehouseDbContext db, string hash) => db.RefreshTokens.FirstOrDefault(t => t.Hash == hash));

    public async Task<Session?> FindForUpdateAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        // PostgreSQL: an idempotent write takes the row's lock until the transaction ends. SQLite
        // needs none: its write transactions already run one at a time (SqliteWriteLock).
        if (!db.Database.IsSqlite())
        {
            await db.Sessions.Where(s => s.Id == sessionId).ExecuteUpdateAsync(u => u.SetProperty(s => s.Generation, s => s.Generation), cancellationToken);
        }
        var tracked = db.Sessions.Local.FirstOrDefault(s => s.Id == sessionId);
        if (tracked is not null)
        {
            await db.Entry(tracked).ReloadAsync(cancellationToken);
            return tracked;
        }
        return await SessionById(db, sessionId);
    }

    public Task<RefreshToken?> FindRefreshTokenAsync(string hash, CancellationToken cancellationToken = default) => RefreshTokenByHash(db, hash);

    public async Task<IReadOnlyList<Session>> ListActiveAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.EndedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt)
            .ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<string>> EndAllAsync(string userId, DateTimeOffset now, string reason, string? exceptSessionId, CancellationToken cancellationToken = default)
    {
        var ids = await db.Sessions
            .Where(s => s.UserId == userId && s.EndedAt == null && s.Id != exceptSessionId)
            .Select(s => s.Id)
            .ToListAsync(cancellationToken);
        if (ids.Count == 0)
        {
            return ids;
        }
        await db.Sessions
            .Where(s => ids.Contains(s.Id) && s.EndedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now).SetProperty(s => s.EndReason, reason), cancellationToken);
        foreach (var tracked in db.Sessions.Local.Where(s => ids.Contains(s.Id)))
        {
            db.Entry(tracked).State = EntityState.Detached;
        }
        return ids;
    }
}

/// <summary>Reads session state through its own short-lived context, outside any unit of work.</summary>
internal sealed class EfSessionStateReader(IDbContextFactory<GatehouseDbContext> factory) : ISessionStateReader
{
    private static readonly Func<GatehouseDbContext, string, Task<Session?>> Query =
        EF.CompileAsyncQuery((GatehouseDbContext db, string id) => db.Sessions.AsNoTracking().FirstOrDefault(s => s.Id == id));

    public async Task<SessionState> ReadAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var session = await Query(db, sessionId);
        return session is null ? new SessionState(false, -1) : new SessionState(session.IsActive(now), session.Generation);
    }
}

internal sealed class EfOneTimeTokenRepository(GatehouseDbContext db) : IOneTimeTokenRepository
{
    public void Add(OneTimeToken token) => db.OneTimeTokens.Add(token);

    public Task<OneTimeToken?> FindAsync(string hash, CancellationToken cancellationToken = default) =>
        db.OneTimeTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Hash == hash, cancellationToken);

    public async Task<bool> TryConsumeAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await db.OneTimeTokens
            .Where(t => t.Hash == hash && t.ConsumedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.ConsumedAt, now), cancellationToken) == 1;

    public Task ConsumeAllAsync(string purpose, string userId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.OneTimeTokens
            .Where(t => t.UserId == userId && t.Purpose == purpose && t.ConsumedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(t => t.ConsumedAt, now), cancellationToken);

    public Task<int> CountIssuedSinceAsync(string purpose, string userId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        db.OneTimeTokens.CountAsync(t => t.UserId == userId && t.Purpose == purpose && t.CreatedAt >= since, cancellationToken);
}

internal sealed class EfOutboxRepository(GatehouseDbContext db) : IOutboxRepository
{
    public void Add(OutboxMessage message) => db.OutboxMessages.Add(message);

    public async Task<IReadOnlyList<OutboxMessage>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) =>
        await db.OutboxMessages.AsNoTracking()
            .Where(m => m.SentAt == null && m.FailedAt == null && m.NextAttemptAt <= now)
            .OrderBy(m => m.Id)
            .Take(max)
            .ToListAsync(cancellationToken);

    public async Task<bool> TryClaimAsync(long id, int attempts, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default) =>
        await db.OutboxMessages
            .Where(m => m.Id == id && m.Attempts == attempts && m.SentAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.Attempts, attempts + 1).SetProperty(m => m.NextAttemptAt, leaseUntil), cancellationToken) == 1;

    public Task MarkSentAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.OutboxMessages
            .Where(m => m.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(m => m.SentAt, now).SetProperty(m => m.ProtectedBody, "").SetProperty(m => m.LastError, (string?)null), cancellationToken);

    public Task MarkFailedAttemptAsync(long id, DateTimeOffset nextAttemptAt, bool giveUp, string error, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        db.OutboxMessages
            .Where(m => m.Id == id)
            .ExecuteUpdateAsync(u => u
                .SetProperty(m => m.NextAttemptAt, nextAttemptAt)
                .SetProperty(m => m.LastError, error.Length > 1000 ? error[..1000] : error)
                .SetProperty(m => m.FailedAt, giveUp ? now : null), cancellationToken);
}

internal sealed class EfAuditLog(GatehouseDbContext db) : IAuditLog
{
    public void Add(AuditEvent auditEvent) => db.AuditEvents.Add(auditEvent);

    public async Task<Page<AuditEvent>> ListAsync(string? userId, string? type, int offset, int limit, CancellationToken cancellationToken = default)
    {
        var query = db.AuditEvents.AsNoTracking();
        if (userId is not null)
        {
            query = query.Where(e => e.UserId == userId);
        }
        if (type is not null)
        {
            query = query.Where(e => e.Type == type);
        }
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(e => e.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return new Page<AuditEvent>(items, total, offset, limit);
    }
}

internal sealed class EfClientRepository(GatehouseDbContext db) : IClientRepository
{
    public Task<Client?> FindAsync(string clientId, CancellationToken cancellationToken = default) =>
        db.Clients.FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken);

    public Task<Client?> FindByNumberAsync(long number, CancellationToken cancellationToken = default) =>
        db.Clients.FirstOrDefaultAsync(c => c.Number == number, cancellationToken);

    public async Task<Page<Client>> ListAsync(int offset, int limit, bool includeDeleted, CancellationToken cancellationToken = default)
    {
        var query = db.Clients.AsNoTracking();
        if (!includeDeleted)
        {
            query = query.Where(c => c.DeletedAt == null);
        }
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(c => c.Number).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return new Page<Client>(items, total, offset, limit);
    }

    public void Add(Client client) => db.Clients.Add(client);

    public void Remove(Client client) => db.Clients.Remove(client);
}

internal sealed class EfSigningKeyRepository(IDbContextFactory<GatehouseDbContext> factory) : ISigningKeyRepository
{
    public async Task<IReadOnlyList<SigningKey>> ListPublishedAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.SigningKeys.AsNoTracking().Where(k => k.ExpiresAt > now).OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task AddAsync(SigningKey key, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.SigningKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>Data Protection's key ring rows (used by the server's XML repository).</summary>
public sealed class DataProtectionKeyStore(IDbContextFactory<GatehouseDbContext> factory)
{
    public IReadOnlyList<string> ReadAll()
    {
        using var db = factory.CreateDbContext();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList();
    }

    public void Store(string? friendlyName, string xml)
    {
        using var db = factory.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = friendlyName, Xml = xml });
        db.SaveChanges();
    }
}
