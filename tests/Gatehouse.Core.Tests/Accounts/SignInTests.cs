using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Tests.Fakes;

namespace Gatehouse.Core.Tests.Accounts;

/// <summary>SignInService: password sign-in and per-account throttling (NIST SP 800-63B 5.2.2).</summary>
public sealed class SignInTests
{
    private const string Email = "ada@example.com";
    private readonly CoreHarness _h = new(o => o.SignIn.MaximumConsecutiveFailures = 12);

    private async Task<Result<SignInResult>> TryAsync(string password) => await _h.SignIn.SignInAsync(Email, password, CoreHarness.Native);

    private async Task FailAsync(int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.Equal(CoreErrors.InvalidCredentialsCode, (await TryAsync("wrong password")).Error?.Code);
        }
    }

    private TimeSpan LockedFor(string userId) => _h.UserRow(userId)!.LockedUntil!.Value - _h.Clock.GetUtcNow();

    [Fact]
    public async Task The_right_password_signs_in_by_email_or_by_username()
    {
        var user = await _h.RegisterAsync(Email, username: "ada");

        var byEmail = await _h.SignIn.SignInAsync("ADA@example.com", CoreHarness.Password, CoreHarness.Native);
        var byUsername = await _h.SignIn.SignInAsync("Ada", CoreHarness.Password, CoreHarness.Native);

        Assert.Equal(user.Id, byEmail.Value.User.Id);
        Assert.Equal(user.Id, byUsername.Value.User.Id);
        Assert.Equal(CoreHarness.Start, _h.UserRow(user.Id)!.LastSignInAt);
        Assert.Equal(2, _h.AuditRows(AuditTypes.SignInSucceeded).Count);
    }

    [Fact]
    public async Task Failures_up_to_the_free_count_cost_no_delay()
    {
        var user = await _h.RegisterAsync(Email);

        await FailAsync(_h.Options.SignIn.FreeFailures);

        Assert.Null(_h.UserRow(user.Id)!.LockedUntil);
        Assert.True((await TryAsync(CoreHarness.Password)).Succeeded);
    }

    [Fact]
    public async Task Each_failure_after_the_free_ones_doubles_the_delay()
    {
        var user = await _h.RegisterAsync(Email);
        await FailAsync(_h.Options.SignIn.FreeFailures);

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            await FailAsync(1);
            delays.Add(LockedFor(user.Id));
            _h.Clock.Advance(delays[^1]);
        }

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8)], delays);
    }

    [Fact]
    public async Task The_delay_never_exceeds_the_maximum()
    {
        var h = new CoreHarness(o => o.SignIn.MaximumDelay = TimeSpan.FromSeconds(3));
        var user = await h.RegisterAsync(Email);
        for (var i = 0; i < 8; i++)
        {
            await h.SignIn.SignInAsync(Email, "wrong password", CoreHarness.Native);
            h.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        await h.SignIn.SignInAsync(Email, "wrong password", CoreHarness.Native);

        Assert.Equal(TimeSpan.FromSeconds(3), h.UserRow(user.Id)!.LockedUntil - h.Clock.GetUtcNow());
    }

    [Fact]
    public async Task During_a_delay_even_the_right_password_is_refused_as_a_wrong_one_and_no_failure_is_counted()
    {
        var user = await _h.RegisterAsync(Email);
        await FailAsync(_h.Options.SignIn.FreeFailures + 1);
        var failures = _h.UserRow(user.Id)!.FailedSignIns;

        var locked = await TryAsync(CoreHarness.Password);
        var wrongWhileLocked = await TryAsync("wrong password");

        // The same answer as a wrong password: a locked account must not tell that it exists.
        Assert.Equal(CoreErrors.InvalidCredentials, locked.Error);
        Assert.Equal(CoreErrors.InvalidCredentials, wrongWhileLocked.Error);
        Assert.Equal(failures, _h.UserRow(user.Id)!.FailedSignIns);
        Assert.Equal(2, _h.AuditRows(AuditTypes.SignInFailed).Count(e => e.Detail == "throttled"));
    }

    [Fact]
    public async Task The_right_password_is_accepted_once_the_delay_has_passed()
    {
        var user = await _h.RegisterAsync(Email);
        await FailAsync(_h.Options.SignIn.FreeFailures + 1);
        _h.Clock.Advance(_h.Options.SignIn.FirstDelay);

        Assert.True((await TryAsync(CoreHarness.Password)).Succeeded);
        var row = _h.UserRow(user.Id)!;
        Assert.Equal(0, row.FailedSignIns);
        Assert.Null(row.LockedUntil);
    }

    [Fact]
    public async Task A_success_starts_the_count_of_failures_again()
    {
        var user = await _h.RegisterAsync(Email);
        await FailAsync(_h.Options.SignIn.FreeFailures);
        Assert.True((await TryAsync(CoreHarness.Password)).Succeeded);

        await FailAsync(_h.Options.SignIn.FreeFailures);

        Assert.Null(_h.UserRow(user.Id)!.LockedUntil);
        Assert.Equal(_h.Options.SignIn.FreeFailures, _h.UserRow(user.Id)!.FailedSignIns);
    }

    [Fact]
    public async Task At_the_maximum_of_consecutive_failures_the_account_stays_locked_until_a_password_reset()
    {
        var user = await _h.RegisterAsync(Email);
        for (var i = 0; i < _h.Options.SignIn.MaximumConsecutiveFailures; i++)
        {
            await TryAsync("wrong password");
            _h.Clock.Advance(TimeSpan.FromHours(1));
        }
        Assert.Equal(DateTimeOffset.MaxValue, _h.UserRow(user.Id)!.LockedUntil);
        _h.Clock.Advance(TimeSpan.FromDays(365));
        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await TryAsync(CoreHarness.Password)).Error?.Code);

        await _h.Accounts.RequestPasswordResetAsync(Email, null, CoreHarness.Native);
        var reset = await _h.Accounts.ResetPasswordAsync(_h.TokenMailedTo(Email), "a brand new passphrase", CoreHarness.Native);

        Assert.True(reset.Succeeded, reset.Error?.ToString());
        Assert.True((await TryAsync("a brand new passphrase")).Succeeded);
    }

    [Fact]
    public async Task A_locked_account_costs_the_same_hash_as_a_wrong_password()
    {
        await _h.RegisterAsync(Email);
        await FailAsync(_h.Options.SignIn.FreeFailures + 1);
        var before = _h.Hasher.Verifications;

        await TryAsync(CoreHarness.Password);

        Assert.Equal(before + 1, _h.Hasher.Verifications);
        Assert.Equal(CoreHarness.Password, _h.Hasher.LastVerified);
    }

    [Fact]
    public async Task Parallel_wrong_guesses_count_exactly_as_the_same_guesses_one_after_another()
    {
        var parallel = await _h.RegisterAsync(Email);
        var sequential = await _h.RegisterAsync("grace@example.com");

        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() => _h.SignIn.SignInAsync(Email, "wrong password " + i, CoreHarness.Native))));
        for (var i = 0; i < 60; i++)
        {
            await _h.SignIn.SignInAsync("grace@example.com", "wrong password " + i, CoreHarness.Native);
        }

        Assert.All(answers, a => Assert.Equal(CoreErrors.InvalidCredentials, a.Error));
        Assert.Equal(_h.Options.SignIn.FreeFailures + 1, _h.UserRow(parallel.Id)!.FailedSignIns);
        Assert.Equal(_h.UserRow(sequential.Id)!.FailedSignIns, _h.UserRow(parallel.Id)!.FailedSignIns);
        Assert.Equal(_h.UserRow(sequential.Id)!.LockedUntil, _h.UserRow(parallel.Id)!.LockedUntil);
        Assert.Equal(CoreHarness.Start + _h.Options.SignIn.FirstDelay, _h.UserRow(parallel.Id)!.LockedUntil);
    }

    [Fact]
    public async Task An_attempt_that_succeeds_is_counted_only_until_it_is_saved()
    {
        var user = await _h.RegisterAsync(Email);
        await FailAsync(2);
        var scope = _h.Scope();

        Assert.True((await scope.SignIn.VerifyPasswordAsync(Email, CoreHarness.Password, CoreHarness.Native)).Succeeded);
        // Reserved before the hash, so a parallel guess sees it counted.
        Assert.Equal(3, _h.UserRow(user.Id)!.FailedSignIns);
        await scope.UnitOfWork.SaveChangesAsync();

        Assert.Equal(0, _h.UserRow(user.Id)!.FailedSignIns);
        Assert.Null(_h.UserRow(user.Id)!.LockedUntil);
    }

    [Fact]
    public async Task An_oversized_password_is_refused_after_a_hash_of_a_fixed_string()
    {
        await _h.RegisterAsync(Email);
        var oversized = new string('x', 1_000_000);

        var result = await TryAsync(oversized);

        Assert.Equal(CoreErrors.InvalidCredentials, result.Error);
        Assert.NotNull(_h.Hasher.LastVerified);
        Assert.True(_h.Hasher.LastVerified.Length < 100, "The dummy hash was given the oversized password.");
    }

    [Fact]
    public async Task An_unknown_login_costs_a_hash_and_is_told_apart_from_nothing()
    {
        await _h.RegisterAsync(Email);
        var before = _h.Hasher.Verifications;

        var unknown = await _h.SignIn.SignInAsync("nobody@example.com", CoreHarness.Password, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidCredentialsCode, unknown.Error?.Code);
        Assert.Equal(before + 1, _h.Hasher.Verifications);
        Assert.Single(_h.AuditRows(AuditTypes.SignInFailed), e => e.Detail == "unknown_user" && e.UserId is null);
    }

    [Theory]
    [InlineData(null, "a password")]
    [InlineData("", "a password")]
    [InlineData("ada@example.com", null)]
    [InlineData("ada@example.com", "")]
    public async Task Malformed_input_still_costs_a_hash(string? login, string? password)
    {
        await _h.RegisterAsync(Email);
        var before = _h.Hasher.Verifications;

        var result = await _h.SignIn.SignInAsync(login, password, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidCredentialsCode, result.Error?.Code);
        Assert.Equal(before + 1, _h.Hasher.Verifications);
    }

    [Fact]
    public async Task A_disabled_account_is_told_only_to_the_holder_of_its_password()
    {
        var user = await _h.RegisterAsync(Email);
        await _h.Admin.SetDisabledAsync(user.Id, true, "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await TryAsync("wrong password")).Error?.Code);
        Assert.Equal(CoreErrors.AccountDisabledCode, (await TryAsync(CoreHarness.Password)).Error?.Code);
    }

    [Fact]
    public async Task A_deleted_account_cannot_sign_in()
    {
        var user = await _h.RegisterAsync(Email);
        await _h.Admin.DeleteUserAsync(user.Id, "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await TryAsync(CoreHarness.Password)).Error?.Code);
    }

    [Fact]
    public async Task A_hash_of_an_old_scheme_is_replaced_at_the_next_sign_in()
    {
        var user = await _h.RegisterAsync(Email);
        await _h.Database.ChangeAsync<User>(_h.Database.Users, user.Id, u => u.PasswordHash = FakePasswordHasher.Legacy(CoreHarness.Password));

        Assert.True((await TryAsync(CoreHarness.Password)).Succeeded);

        Assert.StartsWith("fake$", _h.UserRow(user.Id)!.PasswordHash, StringComparison.Ordinal);
        Assert.True((await TryAsync(CoreHarness.Password)).Succeeded);
    }

    [Fact]
    public async Task Verifying_a_password_alone_starts_no_session()
    {
        var user = await _h.RegisterAsync(Email);

        var verified = await _h.SignIn.VerifyPasswordAsync(Email, CoreHarness.Password, CoreHarness.Native);

        Assert.Equal(user.Id, verified.Value.Id);
        Assert.Empty(_h.Database.Select<Gatehouse.Core.Sessions.Session>(_h.Database.Sessions));
    }
}
