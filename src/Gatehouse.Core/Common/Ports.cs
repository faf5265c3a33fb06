using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Common;

// The ports the core consumes. Storage implements the repositories over one unit of work (one
// database transaction); the server implements signing, secret protection and mail transport.

/// <summary>A page of results.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit);

/// <summary>What a save reported.</summary>
public enum SaveOutcome
{
    Saved,
    /// <summary>A unique index refused the change (see <see cref="SaveResult.Constraint"/>).</summary>
    UniqueViolation,
}

public readonly record struct SaveResult(SaveOutcome Outcome, string? Constraint = null)
{
    public static SaveResult Saved { get; } = new(SaveOutcome.Saved);
}

/// <summary>One database transaction. Everything added through the repositories is saved together.</summary>
public interface IUnitOfWork
{
    Task<SaveResult> SaveChangesAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts an explicit transaction for work that mixes immediate updates and a save.</summary>
    Task<IUnitOfWorkTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default);

    /// <summary>Forgets pending changes (after a failed save).</summary>
    void Reset();
}

public interface IUnitOfWorkTransaction : IAsyncDisposable
{
    Task CommitAsync(CancellationToken cancellationToken = default);
}

/// <summary>Reads a user outside any unit of work, untracked (for read-only routes).</summary>
public interface IUserReader
{
    Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken = default);
}

/// <summary>
/// Told by the storage layer after a user's row was written and committed on this instance
/// (whatever code path wrote it), so caches of users can drop it.
/// </summary>
public interface IUserChangeListener
{
    void UserChanged(string userId);
}

public interface IUserRepository
{
    Task<User?> FindByIdAsync(string id, CancellationToken cancellationToken = default);
    Task<User?> FindByNumberAsync(long number, CancellationToken cancellationToken = default);
    Task<User?> FindByEmailAsync(string normalizedEmail, CancellationToken cancellationToken = default);
    Task<User?> FindByUsernameAsync(string normalizedUsername, CancellationToken cancellationToken = default);

    /// <summary>Finds by normalized email, else by normalized username.</summary>
    Task<User?> FindByLoginAsync(string normalizedLogin, CancellationToken cancellationToken = default);

    Task<Page<User>> ListAsync(string? search, int offset, int limit, CancellationToken cancellationToken = default);
    void Add(User user);

    /// <summary>
    /// Reserves one attempt at the user's secret before it is checked, in one atomic statement:
    /// unless the account is locked at <paramref name="now"/>, counts one more failed sign-in and
    /// sets the lock that <paramref name="rule"/> gives that count (<see cref="SignInOptions.LockAfter"/>).
    /// False, and nothing changed, when the account is locked. Parallel attempts therefore count
    /// exactly as sequential ones. The tracked <paramref name="user"/> takes the stored count and
    /// lock as its saved values, so a success that clears them (and is saved) releases the
    /// reservation.
    /// </summary>
    Task<bool> TryReserveSignInAttemptAsync(User user, SignInOptions rule, DateTimeOffset now, CancellationToken cancellationToken = default);
}

public interface ISessionRepository
{
    void Add(Session session);
    void AddRefreshToken(RefreshToken token);
    Task<Session?> FindAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the session row's write lock (inside the current transaction) and loads it, so that
    /// concurrent changes to one session are serialised.
    /// </summary>
    Task<Session?> FindForUpdateAsync(string sessionId, CancellationToken cancellationToken = default);

    Task<RefreshToken?> FindRefreshTokenAsync(string hash, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<Session>> ListActiveAsync(string userId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Ends every active session of a user (but <paramref name="exceptSessionId"/>); returns their ids.</summary>
    Task<IReadOnlyList<string>> EndAllAsync(string userId, DateTimeOffset now, string reason, string? exceptSessionId, CancellationToken cancellationToken = default);
}

/// <summary>
/// What a refresh needs of a refresh token, its session and its user, read together in one
/// query outside any transaction (the rotation itself re-checks what matters as it writes).
/// </summary>
public sealed record RefreshSnapshot(
    string SessionId,
    string UserId,
    string? ClientId,
    long TokenGeneration,
    DateTimeOffset? TokenConsumedAt,
    DateTimeOffset TokenExpiresAt,
    long SessionGeneration,
    DateTimeOffset? SessionEndedAt,
    DateTimeOffset SessionExpiresAt,
    bool RotateRefreshTokens,
    string Surface,
    string? TeamId,
    bool SecondFactorPending,
    long UserNumber,
    UserStatus UserStatus,
    string Roles,
    RefreshRules RefreshRules);

/// <summary>
/// One refresh-token rotation, all or nothing: the session moves from
/// <paramref name="ExpectedGeneration"/> to the next one (only while it has not ended), the
/// presented token is consumed (only if nothing consumed it meanwhile) and keeps
/// <paramref name="SealedSuccessor"/>, and its successor is added. In that order, the order in
/// which the locked path takes its locks.
/// </summary>
public sealed record RefreshRotation(string ConsumedHash, string SessionId, long ExpectedGeneration, DateTimeOffset Now, RefreshToken Successor, string? SealedSuccessor);

/// <summary>
/// The refresh hot path. Stores may batch rotations of concurrent requests into one commit
/// (SQLite does); each rotation still succeeds or fails on its own.
/// </summary>
public interface IRefreshRotationStore
{
    Task<RefreshSnapshot?> FindAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the snapshot of the token with this hash and asks <paramref name="plan"/> what to
    /// do with it. A rotation it returns is applied if every condition of
    /// <see cref="RefreshRotation"/> still holds, all or nothing. The plan is a pure decision on
    /// the snapshot (no I/O, no waiting): a store may run it on its own thread, inside its write
    /// turn, so that the read and the write take one trip, and may ask it again when it writes
    /// the same turn a second time.
    /// </summary>
    Task<RotationAttempt> RotateAsync(string hash, Func<RefreshSnapshot, RefreshRotation?> plan, CancellationToken cancellationToken = default);
}

/// <summary>
/// What <see cref="IRefreshRotationStore.RotateAsync"/> found and did: the snapshot (null for
/// an unknown token) and the rotation it applied (null when the plan declined or a condition no
/// longer held).
/// </summary>
public readonly record struct RotationAttempt(RefreshSnapshot? Snapshot, RefreshRotation? Rotation);

/// <summary>Reads session state outside a unit of work (for the per-request liveness check).</summary>
public interface ISessionStateReader
{
    Task<SessionState> ReadAsync(string sessionId, DateTimeOffset now, CancellationToken cancellationToken = default);
}

public interface IOneTimeTokenRepository
{
    void Add(OneTimeToken token);
    Task<OneTimeToken?> FindAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>Atomically marks the token used; false if it was used already.</summary>
    Task<bool> TryConsumeAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Uses up every open token of a purpose for a user (a new reset link voids older ones).</summary>
    Task ConsumeAllAsync(string purpose, string userId, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>How many tokens of a purpose were issued for a user since a time (per-account mail limits).</summary>
    Task<int> CountIssuedSinceAsync(string purpose, string userId, DateTimeOffset since, CancellationToken cancellationToken = default);
}

public interface IOutboxRepository
{
    void Add(OutboxMessage message);

    /// <summary>Messages due for delivery, oldest first (not tracked for a unit of work).</summary>
    Task<IReadOnlyList<OutboxMessage>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default);

    /// <summary>Claims a message for one delivery attempt; false when another dispatcher holds it.</summary>
    Task<bool> TryClaimAsync(long id, int attempts, DateTimeOffset leaseUntil, CancellationToken cancellationToken = default);

    Task MarkSentAsync(long id, DateTimeOffset now, CancellationToken cancellationToken = default);
    Task MarkFailedAttemptAsync(long id, DateTimeOffset nextAttemptAt, bool giveUp, string error, DateTimeOffset now, CancellationToken cancellationToken = default);
}

public interface IAuditLog
{
    void Add(AuditEvent auditEvent);
    Task<Page<AuditEvent>> ListAsync(string? userId, string? type, int offset, int limit, CancellationToken cancellationToken = default);
}

public interface IClientRepository
{
    Task<Client?> FindAsync(string clientId, CancellationToken cancellationToken = default);
    Task<Client?> FindByNumberAsync(long number, CancellationToken cancellationToken = default);
    Task<Page<Client>> ListAsync(int offset, int limit, bool includeDeleted, CancellationToken cancellationToken = default);
    void Add(Client client);
    void Remove(Client client);
}

public interface ISigningKeyRepository
{
    Task<IReadOnlyList<SigningKey>> ListPublishedAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
    Task AddAsync(SigningKey key, CancellationToken cancellationToken = default);
}

/// <summary>Encrypts secrets that must be read back (client secrets, signing keys, outbox bodies).</summary>
public interface ISecretProtector
{
    string Protect(string plaintext);
    string Unprotect(string protectedValue);
}

/// <summary>Finds the session a cookie-session secret belongs to (by its hash), outside any unit of work.</summary>
public interface ISessionSecretReader
{
    /// <summary>The session with this secret hash, whether or not it is still active; null if none.</summary>
    Task<SessionSecretMatch?> FindAsync(string secretHash, CancellationToken cancellationToken = default);
}

/// <summary>Which session and user a cookie-session secret names.</summary>
public sealed record SessionSecretMatch(string SessionId, string UserId);
