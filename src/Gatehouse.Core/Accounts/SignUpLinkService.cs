using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Tokens;
using Microsoft.Extensions.Options;

namespace Gatehouse.Core.Accounts;

/// <summary>
/// Sign-up by emailed link: a single-use token proves the mailbox, then the account is created
/// with that address already confirmed.
/// </summary>
public sealed class SignUpLinkService(
    IUserRepository users,
    IUnitOfWork unitOfWork,
    OneTimeTokenService oneTimeTokens,
    AccountService accounts,
    MailOutbox mail,
    IOptions<RegistrationOptions> registration,
    IOptions<LinkOptions> links)
{
    /// <summary>
    /// Emails a sign-up link. For an address that already has an account nothing is sent and
    /// the answer is the same, so the route does not reveal which addresses are registered.
    /// </summary>
    public async Task<Result> RequestAsync(string? email, string? payload, string? linkTemplate, CancellationToken cancellationToken = default)
    {
        if (!registration.Value.Enabled)
        {
            return CoreErrors.RegistrationDisabled;
        }
        var address = email?.Trim();
        if (address is null || !Normalizer.IsValidEmail(address))
        {
            return CoreErrors.Validation("email", "invalid", "A valid email address is required.");
        }
        if (payload is { Length: > 4000 })
        {
            return CoreErrors.Validation("data", "too_long", "The sign-up data is too large.");
        }
        if (await users.FindByEmailAsync(Normalizer.Email(address), cancellationToken) is not null)
        {
            return Result.Ok;
        }
        var token = oneTimeTokens.Issue(TokenPurposes.SignUp, null, address, payload);
        var link = links.Value.Format(linkTemplate ?? links.Value.SignUp, token);
        mail.Enqueue(MailIntent.SignUpLink, address, new MailModel(null, link));
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return Result.Ok;
    }

    /// <summary>Checks a sign-up token without using it.</summary>
    public Task<Result<OneTimeToken>> PeekAsync(string? token, CancellationToken cancellationToken = default) =>
        oneTimeTokens.PeekAsync(TokenPurposes.SignUp, token, cancellationToken);

    /// <summary>
    /// Creates the account of a sign-up token, once. An email other than the token's:
    /// <see cref="CoreErrors.Forbidden"/>. The token is used up only when the account is created.
    /// </summary>
    public async Task<Result<User>> CompleteAsync(string? token, RegistrationRequest request, RequestContext context, CancellationToken cancellationToken = default)
    {
        var peeked = await PeekAsync(token, cancellationToken);
        if (!peeked.Succeeded)
        {
            return peeked.Error!;
        }
        if (!string.Equals(peeked.Value.Email, request.Email?.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return CoreErrors.Forbidden;
        }
        await using var transaction = await unitOfWork.BeginTransactionAsync(cancellationToken);
        var redeemed = await oneTimeTokens.RedeemAsync(TokenPurposes.SignUp, token, cancellationToken);
        if (!redeemed.Succeeded)
        {
            return redeemed.Error!;
        }
        var created = await accounts.RegisterAsync(request, new RegistrationMode { EmailConfirmed = true, SendConfirmation = false }, context, cancellationToken);
        if (!created.Succeeded)
        {
            // Disposing without commit rolls the redemption back: the link still works.
            return created.Error!;
        }
        await transaction.CommitAsync(cancellationToken);
        return created.Value.User;
    }
}
