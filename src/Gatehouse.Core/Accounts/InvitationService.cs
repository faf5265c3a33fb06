using System.Text.Json;
using System.Text.Json.Serialization;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Security;
using Gatehouse.Core.Teams;
using Gatehouse.Core.Tokens;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Accounts;

public sealed record InvitationRequest
{
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? TeamId { get; init; }
    public string? TeamRole { get; init; }
}

public sealed record SentInvitation(User User, DateTimeOffset ExpiresAt);

/// <summary>
/// Invitations: an admin invites an email address; Gatehouse keeps a pending account without a
/// password and emails a single-use link. Accepting it sets the password, proves the email and
/// joins the team named in the invitation.
/// </summary>
public sealed class InvitationService(
    IUserRepository users,
    ITeamRepository teams,
    IUnitOfWork unitOfWork,
    IPasswordHasher hasher,
    IPasswordPolicy policy,
    OneTimeTokenService oneTimeTokens,
    MailOutbox mail,
    IAuditLog audit,
    TimeProvider time,
    IOptions<TokenOptions> tokenOptions,
    IOptions<LinkOptions> links)
{
    public async Task<Result<SentInvitation>> SendAsync(InvitationRequest request, string? linkTemplate, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var email = request.Email?.Trim();
        if (email is null || !Normalizer.IsValidEmail(email))
        {
            return CoreErrors.Validation("email", email is null ? "required" : "invalid", "A valid email is required.");
        }
        if (request.TeamRole is not null && !TeamRoles.IsValid(request.TeamRole))
        {
            return CoreErrors.Validation("teamRole", "unknown", "The team role must be owner or member.");
        }
        if (request.TeamId is not null && await teams.FindAsync(request.TeamId, cancellationToken) is null)
        {
            return CoreErrors.Validation("teamId", "unknown", "No such team.");
        }
        if (request.FirstName is { Length: > AccountService.MaxNameLength } || request.LastName is { Length: > AccountService.MaxNameLength })
        {
            return CoreErrors.Validation("firstName", "too_long", "The name is too long.");
        }
        var user = await users.FindByEmailAsync(Normalizer.Email(email), cancellationToken);
        if (user is not null && user.Status != UserStatus.Pending)
        {
            return user.Status == UserStatus.Deleted ? CoreErrors.AccountDeleted : CoreErrors.EmailTaken;
        }
        var now = time.GetUtcNow();
        if (user is null)
        {
            user = new User
            {
                Id = SecureTokens.NewId("usr"),
                Email = email,
                NormalizedEmail = Normalizer.Email(email),
                FirstName = request.FirstName?.Trim(),
                LastName = request.LastName?.Trim(),
                Status = UserStatus.Pending,
                CreatedAt = now,
                UpdatedAt = now,
            };
            users.Add(user);
        }
        var payload = JsonSerializer.Serialize(new InvitationPayload(request.TeamId, request.TeamRole ?? TeamRoles.Member), InvitationJsonContext.Default.InvitationPayload);
        var token = oneTimeTokens.Issue(TokenPurposes.Invitation, user.Id, email, payload);
        var link = links.Value.Format(linkTemplate ?? links.Value.Invitation, token, user.Id);
        mail.Enqueue(MailIntent.Invitation, email, new MailModel(AccountService.DisplayName(user), link));
        audit.Record(time, AuditTypes.AdminInvitationSent, context, user.Id, actorId, detail: request.TeamId);
        var saved = await unitOfWork.SaveChangesAsync(cancellationToken);
        if (saved.Outcome == SaveOutcome.UniqueViolation)
        {
            unitOfWork.Reset();
            return CoreErrors.EmailTaken;
        }
        return new SentInvitation(user, now + tokenOptions.Value.InvitationLifetime);
    }

    /// <summary>Checks an invitation token without using it.</summary>
    public async Task<Result<User>> CheckAsync(string? token, CancellationToken cancellationToken = default)
    {
        var peeked = await oneTimeTokens.PeekAsync(TokenPurposes.Invitation, token, cancellationToken);
        if (!peeked.Succeeded)
        {
            return peeked.Error!;
        }
        var user = peeked.Value.UserId is null ? null : await users.FindByIdAsync(peeked.Value.UserId, cancellationToken);
        return user is { Status: UserStatus.Pending } ? user : CoreErrors.InvalidToken;
    }

    /// <summary>Accepts an invitation once: sets the password, confirms the email, joins the team.</summary>
    public async Task<Result<User>> AcceptAsync(string? token, string? password, string? firstName, string? lastName, RequestContext context, CancellationToken cancellationToken = default)
    {
        var checkedUser = await CheckAsync(token, cancellationToken);
        if (!checkedUser.Succeeded)
        {
            return checkedUser;
        }
        if (string.IsNullOrEmpty(password))
        {
            return CoreErrors.Validation("password", "required", "A password is required.");
        }
        var broken = policy.Check(password);
        if (broken.Count > 0)
        {
            return CoreErrors.Validation("password", AccountService.PasswordRuleCode(broken[0]), "The password is not acceptable.");
        }
        if (firstName is { Length: > AccountService.MaxNameLength } || lastName is { Length: > AccountService.MaxNameLength })
        {
            return CoreErrors.Validation("firstName", "too_long", "The name is too long.");
        }
        var hash = await hasher.HashAsync(password, cancellationToken);
        await using var transaction = await unitOfWork.BeginTransactionAsync(cancellationToken);
        var redeemed = await oneTimeTokens.RedeemAsync(TokenPurposes.Invitation, token, cancellationToken);
        if (!redeemed.Succeeded)
        {
            return redeemed.Error!;
        }
        var user = checkedUser.Value;
        user.PasswordHash = hash;
        user.EmailConfirmed = true;
        user.Status = UserStatus.Active;
        user.FirstName = string.IsNullOrWhiteSpace(firstName) ? user.FirstName : firstName.Trim();
        user.LastName = string.IsNullOrWhiteSpace(lastName) ? user.LastName : lastName.Trim();
        user.UpdatedAt = time.GetUtcNow();
        var payload = redeemed.Value.Payload is null ? null : JsonSerializer.Deserialize(redeemed.Value.Payload, InvitationJsonContext.Default.InvitationPayload);
        if (payload?.TeamId is { } teamId && await teams.FindAsync(teamId, cancellationToken) is not null
            && await teams.FindMemberAsync(teamId, user.Id, cancellationToken) is null)
        {
            teams.AddMember(new TeamMember { TeamId = teamId, UserId = user.Id, Role = payload.TeamRole ?? TeamRoles.Member, CreatedAt = time.GetUtcNow() });
        }
        audit.Record(time, AuditTypes.InvitationAccepted, context, user.Id, detail: payload?.TeamId);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return user;
    }
}

internal sealed record InvitationPayload(string? TeamId, string? TeamRole);

[JsonSerializable(typeof(InvitationPayload))]
internal sealed partial class InvitationJsonContext : JsonSerializerContext;
