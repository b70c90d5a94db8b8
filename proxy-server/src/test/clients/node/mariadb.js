'use strict';
// Client matrix checks with the mariadb driver. Usage: node mariadb.js host port user password database [compress]
let mariadb;
try {
  mariadb = require('mariadb');
} catch (e) {
  process.stderr.write(`missing driver: ${e.message.split('\n')[0]}; run 'npm ci' in ${__dirname}\n`);
  process.exit(3);
}
const { run } = require('./matrix');

const adapter = {
  connect: (options, multi, charset = 'utf8mb4') => mariadb.createConnection({ ...options, charset,
    multipleStatements: multi }),
  query: (connection, sql, params) => connection.query({ sql, rowsAsArray: true }, params),
  execute: (connection, sql, params) => connection.execute({ sql, rowsAsArray: true }, params),
  affected: async (connection, sql) => (await connection.query(sql)).affectedRows,
  multi: async (connection, sql) => (await connection.query({ sql, rowsAsArray: true })).filter(Array.isArray),
  stream: async (connection, sql, onRow) => {
    for await (const row of connection.queryStream({ sql, rowsAsArray: true })) {
      onRow(row);
    }
  },
  errorText: (e) => `error ${e.errno} ${e.sqlState} ${e.text}`,
  compression: { compress: true }, // the connect option for the script's 'compress' argument
};

run('mariadb', adapter).catch((e) => {
  console.log('FAIL unexpected ' + e.stack.replace(/\n/g, ' '));
  process.exit(1);
});
