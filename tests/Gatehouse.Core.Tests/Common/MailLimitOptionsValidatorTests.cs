using Gatehouse.Core.Common;

namespace Gatehouse.Core.Tests.Common;

public sealed class MailLimitOptionsValidatorTests
{
    private readonly MailLimitOptionsValidator _validator = new();

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void One_or_more_emails_an_hour_are_valid(int perHour)
    {
        Assert.True(_validator.Validate(null, new MailLimitOptions { PerAccountEmailsPerHour = perHour }).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Fewer_than_one_email_an_hour_names_the_key_and_the_default(int perHour)
    {
        var failure = Assert.Single(_validator.Validate(null, new MailLimitOptions { PerAccountEmailsPerHour = perHour }).Failures!);
        Assert.Equal($"Gatehouse:RateLimits:PerAccountEmailsPerHour must be at least 1 (it is {perHour}); the default is 5.", failure);
    }
}
