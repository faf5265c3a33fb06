using Gatehouse.Core.Sessions;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>This tier runs without a host: neither it nor the core may reach for ASP.NET Core or EF Core.</summary>
public sealed class TierTests
{
    [Fact]
    public void Neither_the_core_nor_its_tests_reference_a_web_host_or_an_orm()
    {
        var referenced = typeof(TierTests).Assembly.GetReferencedAssemblies()
            .Concat(typeof(SessionService).Assembly.GetReferencedAssemblies())
            .Select(a => a.Name!)
            .ToList();

        Assert.Contains("Gatehouse.Core", referenced);
        Assert.DoesNotContain(referenced, n => n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) || n.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
