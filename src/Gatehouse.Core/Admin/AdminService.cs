using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tokens;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Admin;

/// <summary>A client to create or change. Null leaves a field as it is.</summary>
public sealed record ClientChange
{
    public string? ClientId { get; init; }
    public string? Name { get; init; }
    public string? Secret { get; init; }
    public string? CodeSecret { get; init; }
    public IReadOnlyList<string>? RedirectUris { get; init; }
    public long? AccessTokenLifetimeSeconds { get; init; }
    public long? RefreshTokenLifetimeSeconds { get; init; }
    public long? AuthorizationCodeLifetimeSeconds { get; init; }
    public bool? RotateRefreshTokens { get; init; }

    /// <summary>On creation only: a public client, which gets no secret (see <see cref="Client.IsPublic"/>).</summary>
    public bool Public { get; init; }
}

/// <summary>Administration of users and clients. Every change is audited with the acting admin.</summary>
public sealed class AdminService(
    IUserRepository users,
    IClientRepository clients,
    IUnitOfWork unitOfWork,
    AccountService accounts,
    SessionService sessions,
    ISecretProtector protector,
    IAuditLog audit,
    TimeProvider time,
    IOptions<TokenOptions> tokenOptions)
{
    public static readonly IReadOnlySet<string> AssignableRoles = new HashSet<string>(StringComparer.Ordinal) { KnownRoles.Admin };

    public Task<Page<User>> ListUsersAsync(string? search, int offset, int limit, CancellationToken cancellationToken = default) =>
        users.ListAsync(search, Math.Max(0, offset), Math.Clamp(limit, 1, 200), cancellationToken);

    public async Task<Result<User>> GetUserAsync(string id, CancellationToken cancellationToken = default) =>
        await users.FindByIdAsync(id, cancellationToken) is { } user ? user : CoreErrors.NotFound;

    public async Task<Result<User>> CreateUserAsync(RegistrationRequest request, IReadOnlyList<string> roles, bool emailConfirmed, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var badRole = roles.FirstOrDefault(r => !AssignableRoles.Contains(r));
        if (badRole is not null)
        {
            return CoreErrors.Validation("roles", "unknown", $"Unknown role '{badRole}'.");
        }
        var created = await accounts.RegisterAsync(request, new RegistrationMode { ByAdministrator = true, EmailConfirmed = emailConfirmed, SendConfirmation = !emailConfirmed, Roles = roles }, context, cancellationToken);
        if (!created.Succeeded)
        {
            return created.Error!;
        }
        audit.Record(time, AuditTypes.AdminUserCreated, context, created.Value.User.Id, actorId);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return created.Value.User;
    }

    public async Task<Result<User>> UpdateUserAsync(string id, ProfileUpdate update, bool? emailConfirmed, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var updated = await accounts.UpdateProfileAsync(id, update, context, cancellationToken);
        if (!updated.Succeeded)
        {
            return updated;
        }
        if (emailConfirmed is bool confirmed)
        {
            updated.Value.EmailConfirmed = confirmed;
        }
        audit.Record(time, AuditTypes.AdminUserUpdated, context, id, actorId);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return updated;
    }

    /// <summary>Disables (or re-enables) an account; disabling ends its sessions and lifts nothing else.</summary>
    public async Task<Result<User>> SetDisabledAsync(string id, bool disabled, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(id, cancellationToken);
        if (user is null || user.Status == UserStatus.Deleted)
        {
            return CoreErrors.NotFound;
        }
        await using var transaction = await unitOfWork.BeginTransactionAsync(cancellationToken);
        user.Status = disabled ? UserStatus.Disabled : UserStatus.Active;
        if (!disabled)
        {
            user.FailedSignIns = 0;
            user.LockedUntil = null;
        }
        user.UpdatedAt = time.GetUtcNow();
        if (disabled)
        {
            user.TokensValidAfter = user.UpdatedAt;
            await sessions.EndAllAsync(user.Id, SessionEndReasons.AccountDisabled, context, actorId: actorId, cancellationToken: cancellationToken);
        }
        audit.Record(time, AuditTypes.AdminUserDisabled, context, id, actorId, detail: disabled ? "disabled" : "enabled");
        await unitOfWork.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    /// <summary>
    /// Deletes an account: its personal data and password are wiped and its sessions end; the
    /// row and its email key stay, so signing up again with the email is refused.
    /// </summary>
    public async Task<Result> DeleteUserAsync(string id, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var user = await users.FindByIdAsync(id, cancellationToken);
        if (user is null || user.Status == UserStatus.Deleted)
        {
            return CoreErrors.NotFound;
        }
        await using var transaction = await unitOfWork.BeginTransactionAsync(cancellationToken);
        user.Status = UserStatus.Deleted;
        user.PasswordHash = null;
        user.FirstName = user.MiddleName = user.LastName = user.Phone = user.Bio = user.Location = null;
        user.Company = user.JobTitle = user.Gender = user.PictureId = null;
        user.BirthDate = null;
        user.Roles = "";
        user.UpdatedAt = time.GetUtcNow();
        user.TokensValidAfter = user.UpdatedAt;
        await sessions.EndAllAsync(user.Id, SessionEndReasons.Admin, context, actorId: actorId, cancellationToken: cancellationToken);
        audit.Record(time, AuditTypes.AdminUserDeleted, context, id, actorId);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Result.Ok;
    }

    /// <summary>Ends every session of a user.</summary>
    public async Task<Result<int>> EndSessionsAsync(string id, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        if (await users.FindByIdAsync(id, cancellationToken) is null)
        {
            return CoreErrors.NotFound;
        }
        var ended = await sessions.EndAllAsync(id, SessionEndReasons.Admin, context, actorId: actorId, cancellationToken: cancellationToken);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return ended;
    }

    /// <summary>
    /// Sets a user's roles. When they change, the user's access tokens issued until now stop
    /// working at once (on every instance within the session-state cache's bound, under 1 s):
    /// a demoted administrator's token is no longer an administrator's. Their sessions stay, so
    /// the next refresh issues a token with the new roles.
    /// </summary>
    public async Task<Result<User>> SetRolesAsync(string id, IReadOnlyList<string> roles, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var badRole = roles.FirstOrDefault(r => !AssignableRoles.Contains(r));
        if (badRole is not null)
        {
            return CoreErrors.Validation("roles", "unknown", $"Unknown role '{badRole}'.");
        }
        var user = await users.FindByIdAsync(id, cancellationToken);
        if (user is null || user.Status == UserStatus.Deleted)
        {
            return CoreErrors.NotFound;
        }
        var stored = string.Join(' ', roles.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var changed = !string.Equals(stored, user.Roles, StringComparison.Ordinal);
        user.Roles = stored;
        user.UpdatedAt = time.GetUtcNow();
        if (changed)
        {
            user.TokensValidAfter = user.UpdatedAt;
        }
        audit.Record(time, AuditTypes.AdminRolesSet, context, id, actorId, detail: user.Roles);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        if (changed)
        {
            // After the commit, so no read of this instance can cache the old roles again.
            await sessions.ForgetCachedStateAsync(user.Id, cancellationToken);
        }
        return user;
    }

    public Task<Page<Client>> ListClientsAsync(int offset, int limit, CancellationToken cancellationToken = default) =>
        clients.ListAsync(Math.Max(0, offset), Math.Clamp(limit, 1, 200), includeDeleted: false, cancellationToken);

    public async Task<Result<Client>> GetClientAsync(string clientId, CancellationToken cancellationToken = default) =>
        await clients.FindAsync(clientId, cancellationToken) is { IsDeleted: false } client ? client : CoreErrors.NotFound;

    /// <summary>Creates a client; a confidential client gets a generated secret when none is given.</summary>
    public async Task<Result<Client>> CreateClientAsync(ClientChange change, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var clientId = string.IsNullOrWhiteSpace(change.ClientId) ? SecureTokens.NewId("cli") : change.ClientId.Trim();
        var problems = ValidateClient(change with { ClientId = clientId });
        if (problems.Count > 0)
        {
            return CoreErrors.Validation(problems);
        }
        var now = time.GetUtcNow();
        var client = new Client
        {
            ClientId = clientId,
            Name = change.Name?.Trim() ?? clientId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        Apply(client, change.Public ? change with { Secret = null } : change with { Secret = change.Secret ?? SecureTokens.New() });
        clients.Add(client);
        audit.Record(time, AuditTypes.AdminClientCreated, context, null, actorId, clientId);
        var saved = await unitOfWork.SaveChangesAsync(cancellationToken);
        if (saved.Outcome == SaveOutcome.UniqueViolation)
        {
            unitOfWork.Reset();
            return new CoreError(CoreErrors.ConflictCode, $"A client with id '{clientId}' already exists.");
        }
        return client;
    }

    public async Task<Result<Client>> UpdateClientAsync(string clientId, ClientChange change, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var client = await clients.FindAsync(clientId, cancellationToken);
        if (client is null || client.IsDeleted)
        {
            return CoreErrors.NotFound;
        }
        // A client's id names it everywhere (tokens, sessions, users allowed on it): it never changes.
        if (change.ClientId is { } newId && !string.Equals(newId, clientId, StringComparison.Ordinal))
        {
            return CoreErrors.Validation("clientId", "immutable", "The clientId cannot be changed.");
        }
        var problems = ValidateClient(change with { ClientId = clientId });
        if (problems.Count > 0)
        {
            return CoreErrors.Validation(problems);
        }
        Apply(client, change);
        client.UpdatedAt = time.GetUtcNow();
        audit.Record(time, AuditTypes.AdminClientUpdated, context, null, actorId, clientId);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return client;
    }

    /// <summary>Soft-deletes a client (its id stays taken; its row keeps who deleted it).</summary>
    public async Task<Result> DeleteClientAsync(string clientId, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var client = await clients.FindAsync(clientId, cancellationToken);
        if (client is null || client.IsDeleted)
        {
            return CoreErrors.NotFound;
        }
        client.DeletedAt = time.GetUtcNow();
        client.DeletedBy = actorId;
        audit.Record(time, AuditTypes.AdminClientDeleted, context, null, actorId, clientId);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return Result.Ok;
    }

    /// <summary>Reads a client's secret back (admins only; one dialect shows it).</summary>
    public string? RevealSecret(Client client) => client.ProtectedSecret is null ? null : protector.Unprotect(client.ProtectedSecret);

    public string? RevealCodeSecret(Client client) => client.ProtectedCodeSecret is null ? null : protector.Unprotect(client.ProtectedCodeSecret);

    /// <summary>Checks a client's secret in constant time.</summary>
    public bool VerifySecret(Client client, string? secret) =>
        secret is not null && RevealSecret(client) is { } actual && SecureTokens.FixedTimeEquals(actual, secret);

    /// <summary>
    /// Makes sure a client a surface depends on exists with the refresh rotation it needs, and
    /// public when the surface's clients are (they cannot keep a secret); idempotent, and safe
    /// when two instances run it at once. A client an administrator deleted stays deleted (the
    /// surface then reports it), so deleting it is a way to stop it.
    /// </summary>
    public async Task<Result<Client>> EnsureClientAsync(string clientId, string name, bool rotateRefreshTokens, bool isPublic, RequestContext context, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var client = await clients.FindAsync(clientId, cancellationToken);
            if (client is not null)
            {
                if (client.IsDeleted)
                {
                    return CoreErrors.NotFound;
                }
                if (client.RotateRefreshTokens != rotateRefreshTokens)
                {
                    // The surface's wire contract depends on it (e.g. a refresh that returns
                    // the same token), so an edit to the contrary does not stick.
                    client.RotateRefreshTokens = rotateRefreshTokens;
                    client.UpdatedAt = time.GetUtcNow();
                    audit.Record(time, AuditTypes.AdminClientUpdated, context, null, null, clientId, "rotation restored");
                    await unitOfWork.SaveChangesAsync(cancellationToken);
                }
                if (isPublic && !client.IsPublic)
                {
                    // The surface's clients send an id they cannot keep secret (keymetrics' PM2.io
                    // library has its own), so a secret here would only mislead.
                    client.ProtectedSecret = null;
                    client.UpdatedAt = time.GetUtcNow();
                    audit.Record(time, AuditTypes.AdminClientUpdated, context, null, null, clientId, "made public");
                    await unitOfWork.SaveChangesAsync(cancellationToken);
                }
                return client;
            }
            var created = await CreateClientAsync(new ClientChange { ClientId = clientId, Name = name, RotateRefreshTokens = rotateRefreshTokens, Public = isPublic }, "system", context, cancellationToken);
            if (created.Succeeded || created.Error!.Code != CoreErrors.ConflictCode)
            {
                return created;
            }
            // Another request or instance created it first: read theirs.
        }
        return new CoreError(CoreErrors.ConflictCode, $"The client '{clientId}' could not be created.");
    }

    private void Apply(Client client, ClientChange change)
    {
        if (change.Name is not null)
        {
            client.Name = change.Name.Trim();
        }
        if (change.Secret is not null)
        {
            client.ProtectedSecret = protector.Protect(change.Secret);
        }
        if (change.CodeSecret is not null)
        {
            client.ProtectedCodeSecret = protector.Protect(change.CodeSecret);
        }
        if (change.RedirectUris is not null)
        {
            client.RedirectUris = string.Join(' ', change.RedirectUris);
        }
        // In range once validated (ValidateClient).
        client.AccessTokenLifetimeSeconds = (int?)change.AccessTokenLifetimeSeconds ?? client.AccessTokenLifetimeSeconds;
        client.RefreshTokenLifetimeSeconds = (int?)change.RefreshTokenLifetimeSeconds ?? client.RefreshTokenLifetimeSeconds;
        client.AuthorizationCodeLifetimeSeconds = (int?)change.AuthorizationCodeLifetimeSeconds ?? client.AuthorizationCodeLifetimeSeconds;
        client.RotateRefreshTokens = change.RotateRefreshTokens ?? client.RotateRefreshTokens;
    }

    /// <summary>
    /// Checks a change before it is applied to any client (a change to many clients at once is
    /// refused as a whole, before the first is touched).
    /// </summary>
    public Result ValidateClientChange(ClientChange change)
    {
        var problems = ValidateClient(change);
        return problems.Count == 0 ? Result.Ok : CoreErrors.Validation(problems);
    }

    /// <summary>The lifetime fields of a client, as <see cref="ClientChange"/> and validation failures name them.</summary>
    public static readonly IReadOnlySet<string> LifetimeFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "accessTokenLifetimeSeconds", "refreshTokenLifetimeSeconds", "authorizationCodeLifetimeSeconds",
    };

    private Dictionary<string, string[]> ValidateClient(ClientChange change)
    {
        var problems = new Dictionary<string, string[]>();
        if (change.ClientId is { } id && (id.Length is 0 or > 100 || id.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            problems["clientId"] = ["invalid"];
        }
        else if (change.ClientId is { } taken && AccessTokenAudiences.IsReserved(taken))
        {
            // A client's tokens carry its id as their audience: these name Gatehouse's own.
            problems["clientId"] = ["reserved"];
        }
        if (change.Name is { Length: > 200 })
        {
            problems["name"] = ["too_long"];
        }
        if (change.Secret is { } secret && (secret.Length < 16 || secret.Length > 512))
        {
            problems["secret"] = ["length"];
        }
        if (change.RedirectUris is { } uris && uris.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out var parsed) || parsed.Fragment.Length > 0 || u.Contains(' ', StringComparison.Ordinal)))
        {
            problems["redirectUris"] = ["invalid"];
        }
        var caps = tokenOptions.Value;
        foreach (var (name, value, maximum) in new[]
        {
            ("accessTokenLifetimeSeconds", change.AccessTokenLifetimeSeconds, caps.MaximumAccessTokenLifetime),
            ("refreshTokenLifetimeSeconds", change.RefreshTokenLifetimeSeconds, caps.MaximumRefreshTokenLifetime),
            ("authorizationCodeLifetimeSeconds", change.AuthorizationCodeLifetimeSeconds, caps.MaximumAuthorizationCodeLifetime),
        })
        {
            if (value is <= 0)
            {
                problems[name] = ["must_be_positive"];
            }
            else if (value > int.MaxValue || value > maximum.TotalSeconds)
            {
                // Gatehouse:Tokens:Maximum…Lifetime (validated at start-up) bounds every client.
                problems[name] = ["too_large"];
            }
        }
        return problems;
    }
}
