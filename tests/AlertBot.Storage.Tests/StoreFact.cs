using AlertBot.Testing.Postgres;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace AlertBot.Storage.Tests;

/// <summary>
/// A fact that runs once per provider test class. On a class that needs PostgreSQL it is reported as skipped when,
/// and only when, ALERTBOT_TEST_POSTGRES=skip; without the variable the local test cluster is started (TestPostgres).
/// </summary>
[XunitTestCaseDiscoverer("AlertBot.Storage.Tests.StoreFactDiscoverer", "AlertBot.Storage.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute;

public sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        if (typeof(IUsesPostgres).IsAssignableFrom(testClass) && TestPostgres.SkipReason is { } reason)
        {
            return [new XunitSkippedDataRowTestCase(diagnosticMessageSink, display, displayOptions, testMethod, reason)];
        }

        return [new XunitTestCase(diagnosticMessageSink, display, displayOptions, testMethod)];
    }
}
