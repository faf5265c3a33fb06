using Gatehouse.Core.Common;
using Gatehouse.Core.Tests.Fakes;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Tokens;

/// <summary>OneTimeTokenService: single use, expiry, purpose-bound, stored as hashes.</summary>
public sealed class OneTimeTokenServiceTests
{
    private readonly CoreHarness _h = new();

    /// <summary>Issues a token in a scope of its own and saves it, as a use case would.</summary>
    private async Task<string> IssueAsync(string purpose = TokenPurposes.PasswordReset, string userId = "usr_1", TimeSpan? lifetime = null)
    {
        var scope = _h.Scope();
        var raw = scope.OneTimeTokens.Issue(purpose, userId, "ada@example.com", "{}", lifetime);
        Assert.Equal(SaveOutcome.Saved, (await scope.UnitOfWork.SaveChangesAsync()).Outcome);
        return raw;
    }

    [Fact]
    public async Task A_token_is_redeemed_once()
    {
        var raw = await IssueAsync();

        var first = await _h.OneTimeTokens.RedeemAsync(TokenPurposes.PasswordReset, raw);
        var second = await _h.OneTimeTokens.RedeemAsync(TokenPurposes.PasswordReset, raw);

        Assert.Equal("usr_1", first.Value.UserId);
        Assert.Equal(CoreErrors.UsedTokenCode, second.Error?.Code);
    }

    [Fact]
    public async Task Of_two_redemptions_that_both_passed_the_check_only_one_succeeds()
    {
        var raw = await IssueAsync();
        var a = _h.Scope();
        var b = _h.Scope();
        Assert.True((await a.OneTimeTokens.PeekAsync(TokenPurposes.PasswordReset, raw)).Succeeded);
        Assert.True((await b.OneTimeTokens.PeekAsync(TokenPurposes.PasswordReset, raw)).Succeeded);

        var results = new[] { await a.OneTimeTokens.RedeemAsync(TokenPurposes.PasswordReset, raw), await b.OneTimeTokens.RedeemAsync(TokenPurposes.PasswordReset, raw) };

        Assert.Single(results, r => r.Succeeded);
    }

    [Fact]
    public async Task A_token_expires_at_the_end_of_its_purpose_s_lifetime()
    {
        var raw = await IssueAsync();
        _h.Clock.Advance(_h.Options.Tokens.PasswordResetLifetime - TimeSpan.FromMilliseconds(1));
        Assert.True((await _h.OneTimeTokens.PeekAsync(TokenPurposes.PasswordReset, raw)).Succeeded);
        _h.Clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.OneTimeTokens.RedeemAsync(TokenPurposes.PasswordReset, raw)).Error?.Code);
    }

    [Fact]
    public async Task A_lifetime_given_at_issue_replaces_the_purpose_s()
    {
        var raw = await IssueAsync(lifetime: TimeSpan.FromSeconds(30));
        _h.Clock.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.OneTimeTokens.PeekAsync(TokenPurposes.PasswordReset, raw)).Error?.Code);
    }

    [Fact]
    public async Task A_token_works_only_for_its_own_purpose_and_a_wrong_one_does_not_use_it()
    {
        var raw = await IssueAsync(TokenPurposes.EmailConfirmation);

        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.OneTimeTokens.RedeemAsync(TokenPurposes.PasswordReset, raw)).Error?.Code);
        Assert.True((await _h.OneTimeTokens.RedeemAsync(TokenPurposes.EmailConfirmation, raw)).Succeeded);
    }

    [Fact]
    public async Task Peeking_at_a_token_does_not_use_it()
    {
        var raw = await IssueAsync();

        await _h.OneTimeTokens.PeekAsync(TokenPurposes.PasswordReset, raw);

        Assert.True((await _h.OneTimeTokens.RedeemAsync(TokenPurposes.PasswordReset, raw)).Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("never-issued")]
    public async Task An_unknown_or_empty_token_is_invalid(string? raw)
    {
        await IssueAsync();

        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.OneTimeTokens.RedeemAsync(TokenPurposes.PasswordReset, raw)).Error?.Code);
    }

    [Fact]
    public async Task Only_the_hash_of_a_token_is_stored()
    {
        var raw = await IssueAsync();

        var row = Assert.Single(_h.Database.Select<OneTimeToken>(_h.Database.OneTimeTokens));
        Assert.Equal(SecureTokens.Hash(raw), row.Hash);
        Assert.Equal(43, raw.Length);
    }

    [Fact]
    public async Task Using_up_every_token_of_a_purpose_leaves_other_purposes_and_users_alone()
    {
        var reset = await IssueAsync(TokenPurposes.PasswordReset, "usr_1");
        var confirm = await IssueAsync(TokenPurposes.EmailConfirmation, "usr_1");
        var otherUser = await IssueAsync(TokenPurposes.PasswordReset, "usr_2");

        await _h.OneTimeTokens.ConsumeAllAsync(TokenPurposes.PasswordReset, "usr_1");

        Assert.Equal(CoreErrors.UsedTokenCode, (await _h.OneTimeTokens.PeekAsync(TokenPurposes.PasswordReset, reset)).Error?.Code);
        Assert.True((await _h.OneTimeTokens.PeekAsync(TokenPurposes.EmailConfirmation, confirm)).Succeeded);
        Assert.True((await _h.OneTimeTokens.PeekAsync(TokenPurposes.PasswordReset, otherUser)).Succeeded);
    }

    [Fact]
    public async Task The_hourly_limit_counts_the_tokens_of_the_last_hour_only()
    {
        await IssueAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(30));
        await IssueAsync();

        Assert.False(await _h.OneTimeTokens.MaySendAsync(TokenPurposes.PasswordReset, "usr_1", perHour: 2));
        Assert.True(await _h.OneTimeTokens.MaySendAsync(TokenPurposes.EmailConfirmation, "usr_1", perHour: 2));
        _h.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.True(await _h.OneTimeTokens.MaySendAsync(TokenPurposes.PasswordReset, "usr_1", perHour: 2));
    }

    [Fact]
    public void An_unknown_purpose_has_no_lifetime()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _h.Scope().OneTimeTokens.Issue("made_up", "usr_1", null));
    }
}
