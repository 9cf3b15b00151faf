// Validates CSAF documents with BSI's csaf-validator-lib (npm, installed by `make
// assets`): the CSAF 2.0 strict schema and every mandatory test. Reads a JSON array of
// documents on stdin; writes a JSON array of {isValid, errors} on stdout, one per
// document, where errors are the failing tests' names and messages.
import validate from '@secvisogram/csaf-validator-lib/validate.js'
import * as schemaTests from '@secvisogram/csaf-validator-lib/schemaTests.js'
import * as mandatoryTests from '@secvisogram/csaf-validator-lib/mandatoryTests.js'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const documents = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const tests = [schemaTests.csaf_2_0_strict, ...Object.values(mandatoryTests)]
const results = []
for (const document of documents) {
  const result = await validate(tests, document)
  results.push({
    isValid: result.isValid,
    errors: result.tests
      .filter((test) => !test.isValid)
      .flatMap((test) =>
        test.errors.map((e) => `${test.name} ${e.instancePath}: ${e.message}`)
      ),
  })
}
process.stdout.write(JSON.stringify(results))
